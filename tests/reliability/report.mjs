// Writes docs/reliability.md's figures table from the rows the scenarios of the last
// `npm run test:reliability` recorded in .reliability/. Only the block between the markers changes.
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'

const DIR = '.reliability'
const DOC = 'docs/reliability.md'
const START = '<!-- figures:start -->'
const END = '<!-- figures:end -->'

const rows = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => JSON.parse(readFileSync(`${DIR}/${name}`, 'utf8')))
      .sort((a, b) => a.scenario.localeCompare(b.scenario, 'en', { numeric: true }))
  : []
if (rows.length === 0) {
  console.error('No scenario figures in .reliability/: run the scenarios first (npm run test:reliability).')
  process.exit(1)
}

const cell = (value) => (value === undefined || value === null ? '—' : String(value).replaceAll('|', '\\|'))
const ratio = (value) => (typeof value === 'number' ? value.toFixed(2) : undefined)
const table = [
  '| scenario | load | faults | ok | failed cleanly | failed badly | rows lost | latency ratio | run |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((row) =>
    [
      row.scenario,
      row.load,
      row.faults,
      row.ok,
      row.failedCleanly,
      row.failedBadly,
      row.rowsLost,
      ratio(row.latencyRatio),
      `${row.short ? 'short' : 'full'}, ${row.at.slice(0, 10)}`,
    ]
      .map(cell)
      .join(' | ')
      .replace(/^/, '| ')
      .replace(/$/, ' |'),
  ),
  ...rows.filter((row) => row.notes).map((row) => `\n- ${row.scenario}: ${row.notes}`),
].join('\n')

const doc = readFileSync(DOC, 'utf8')
const start = doc.indexOf(START)
const end = doc.indexOf(END)
if (start === -1 || end === -1) throw new Error(`${DOC} has no ${START} … ${END} block`)
writeFileSync(DOC, `${doc.slice(0, start + START.length)}\n${table}\n${doc.slice(end)}`)
console.log(`${DOC}: ${rows.length} scenario rows`)
