// What do the proxy and the access log cost? req/s of a dynamic page (/status, which reads
// request headers) with the proxy and logging on, vs a build whose proxy matches nothing,
// vs that build with logging silenced. Same machine, same run, interleaved rounds.
//   npm run bench:proxy [-- --smoke]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { buildVariant, interleaved, machineDescription, markdownTable, median, ratio, rewrite, startApp } from './harness.mjs'

const smoke = process.argv.includes('--smoke')
const settings = smoke ? { rounds: 1, duration: 2, warmup: 1 } : { rounds: 3, duration: 5, warmup: 2 }

const withProxy = buildVariant('proxy-on')
const withoutProxy = buildVariant('proxy-off', (dir) => rewrite(dir, 'proxy.ts', /matcher: \[[^\]]*\]/, "matcher: ['/__proxy_disabled__']"))

const dbDirs = []
const database = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalbox-bench-'))
  dbDirs.push(dir)
  return `pglite:${dir}`
}
const targets = [
  { name: 'proxy + logging', ...(await startApp(withProxy, { DATABASE_URL: database(), LOG_LEVEL: 'info' })) },
  { name: 'no proxy, logging', ...(await startApp(withoutProxy, { DATABASE_URL: database(), LOG_LEVEL: 'info' })) },
  { name: 'no proxy, silent', ...(await startApp(withoutProxy, { DATABASE_URL: database(), LOG_LEVEL: 'silent' })) },
]
try {
  const results = await interleaved(targets.map((t) => ({ ...t, path: '/status' })), settings)
  const base = median(results['no proxy, silent'].map((r) => r.rps))
  const rows = targets.map(({ name }) => {
    const runs = results[name]
    const rps = median(runs.map((r) => r.rps))
    return [name, runs.map((r) => r.rps.toFixed(0)).join(' / '), rps.toFixed(0), median(runs.map((r) => r.p50)).toFixed(1), median(runs.map((r) => r.p99)).toFixed(1), ratio(rps, base).toFixed(3)]
  })
  console.log(`\nDynamic page /status, ${settings.rounds} interleaved rounds of ${settings.duration} s, 10 connections. ${machineDescription()}\n`)
  console.log(markdownTable(['variant', 'req/s per round', 'median req/s', 'p50 ms', 'p99 ms', 'ratio vs no proxy, silent'], rows))
} finally {
  for (const target of targets) await target.stop()
  for (const dir of dbDirs) rmSync(dir, { recursive: true, force: true })
}
