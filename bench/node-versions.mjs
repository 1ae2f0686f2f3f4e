// `npm run bench:node -- <node binary>`: the template and the bare app with an empty proxy, each on
// this Node and on another Node binary (the version you deploy on), in one run, interleaved on
// the three kinds of route of `npm run bench`. It answers "does a newer Node change what the
// template costs over bare?" with numbers from one machine at one time, which two separate runs
// of `npm run bench` cannot (docs/performance.md). Builds both apps in $TMPDIR/signalbox-bench.
//   npm run bench:node -- /path/to/node24/bin/node              writes bench/results/node-versions.md
//   npm run bench:node -- /path/to/node --rounds 7               more rounds
//   npm run bench:node -- --smoke                                 seconds of load, this Node twice (CI)
// A Node from 24 on also runs a third time with --no-async-context-frame (AsyncLocalStorage as on
// Node 20, a hook on every promise), so that change's part in the difference is measured apart.
// Runs on PGlite: no route loaded here touches the database.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  ROOT,
  WORK,
  buildVariant,
  emptyProxyWithOurMatcher,
  interleaved,
  log,
  machineDescription,
  markdownTable,
  median,
  ratio,
  roundsFromArgs,
  startApp,
} from './harness.mjs'

const args = process.argv.slice(2)
const smoke = args.includes('--smoke')
const rounds = roundsFromArgs(args, smoke ? 1 : 5)
const roundsAt = args.indexOf('--rounds')
// The binary: the one argument that is neither a flag nor --rounds' number.
const other =
  args.find((arg, i) => !arg.startsWith('--') && (roundsAt === -1 || i !== roundsAt + 1)) ??
  (smoke ? process.execPath : undefined)
if (!other) throw new Error('npm run bench:node -- <path to another node binary> (or --smoke)')
const versionOf = (binary) => {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()
  } catch (error) {
    throw new Error(`${binary} is not a Node binary that runs here: ${error.message}`)
  }
}
const otherVersion = versionOf(other)
const nodes = [
  { label: versionOf(process.execPath), binary: process.execPath, nodeArgs: [] },
  { label: `${otherVersion}${other === process.execPath ? ' (again)' : ''}`, binary: other, nodeArgs: [] },
]
// AsyncContextFrame backs AsyncLocalStorage from Node 24 (a flag in 22): no hook per promise.
if (Number(/^v(\d+)/.exec(otherVersion)?.[1]) >= 24 && !smoke)
  nodes.push({
    label: `${otherVersion} --no-async-context-frame`,
    binary: other,
    nodeArgs: ['--no-async-context-frame'],
  })
const settings = { rounds, duration: smoke ? 1 : 5, warmup: smoke ? 1 : 2, connections: 10 }
const startedAt = Date.now()

// The smoke reuses the working tree's build and the empty-proxy arm `npm run bench -- --smoke`
// built (CI runs it first); a full run builds both afresh, so it measures this checkout.
const built = (dir) => smoke && existsSync(path.join(dir, '.next', 'BUILD_ID'))
const template = built(ROOT) ? ROOT : buildVariant('node-versions-template')
const baselineProxy = built(path.join(WORK, 'baseline-empty-proxy'))
  ? path.join(WORK, 'baseline-empty-proxy')
  : buildVariant(
      'node-versions-baseline-empty-proxy',
      (dir) => writeFileSync(path.join(dir, 'proxy.ts'), emptyProxyWithOurMatcher()),
      { sourceDir: path.join(ROOT, 'bench', 'baseline') },
    )

const routes = [
  ['static page', '/', '/'],
  ['dynamic page (reads request headers)', '/status', '/dynamic'],
  ['JSON route handler', '/api/health', '/api/health'],
]
const scratch = mkdtempSync(path.join(tmpdir(), 'signalbox-bench-node-'))
const servers = []
const rows = []
try {
  for (const [i, node] of nodes.entries()) {
    const database = path.join(scratch, String(i))
    mkdirSync(database)
    const options = { node: node.binary, nodeArgs: node.nodeArgs }
    const T = await startApp(template, { DATABASE_URL: `pglite:${database}`, LOG_LEVEL: 'info' }, options)
    servers.push(T)
    const BP = await startApp(baselineProxy, {}, { ...options, readyPath: '/api/health' })
    servers.push(BP)
    node.apps = { T, BP }
  }
  for (const [kind, templatePath, baselinePath] of routes) {
    log(`load: ${kind}`)
    const targets = nodes.flatMap((node, i) => [
      { name: `T${i}`, url: node.apps.T.url, path: templatePath, pid: node.apps.T.pid },
      { name: `BP${i}`, url: node.apps.BP.url, path: baselinePath, pid: node.apps.BP.pid },
    ])
    const results = await interleaved(targets, settings)
    const perRound = (a, b) => results[a].map((r, round) => ratio(r.rps, results[b][round].rps))
    const cell = (values) => `${values.map((x) => x.toFixed(2)).join(' / ')} → **${median(values).toFixed(3)}**`
    for (const [i, node] of nodes.entries()) {
      const own = results[`T${i}`]
      rows.push([
        kind,
        node.label,
        median(own.map((r) => r.rps)).toFixed(0),
        median(results[`BP${i}`].map((r) => r.rps)).toFixed(0),
        median(own.map((r) => r.cpuPerRequest)).toFixed(0),
        median(results[`BP${i}`].map((r) => r.cpuPerRequest)).toFixed(0),
        cell(perRound(`T${i}`, `BP${i}`)),
        i === 0 ? '1' : cell(perRound(`T${i}`, 'T0')),
        i === 0 ? '1' : cell(perRound(`BP${i}`, 'BP0')),
      ])
    }
  }
} finally {
  for (const server of servers) await server.stop()
  rmSync(scratch, { recursive: true, force: true })
}

const report = [
  '## The template on two Node versions',
  '',
  `${new Date().toISOString()} · ${machineDescription()} (this script's own Node) · ${settings.rounds} interleaved rounds of ${settings.duration} s, ${settings.connections} connections · finished in ${((Date.now() - startedAt) / 60000).toFixed(1)} min${smoke ? ' · **smoke run: too short to read**' : ''}`,
  '',
  "Each row is one Node: the template and bare + empty proxy both run on it. Ratios are per round, then their median; CPU is the server process tree's user + system time per answered request.",
  '',
  markdownTable(
    [
      'route',
      'Node',
      'template req/s',
      'bare + empty proxy req/s',
      'template CPU µs / request',
      'bare + empty proxy CPU µs / request',
      'template / (bare + empty proxy), req/s',
      `template on this Node / on ${nodes[0].label}`,
      `bare + empty proxy on this Node / on ${nodes[0].label}`,
    ],
    rows,
  ),
  '',
].join('\n')
console.log(`\n${report}`)
if (!smoke) {
  const file = path.join(ROOT, 'bench', 'results', 'node-versions.md')
  writeFileSync(file, report)
  log(`written to ${path.relative(ROOT, file)}`)
}
