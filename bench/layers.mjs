// What each observability layer costs a request, one at a time: req/s of a dynamic page
// (/status, which reads request headers) and a JSON route (/api/health) for
//   full + tracing   proxy, logging, metrics, and OTLP tracing to a local sink
//   full             proxy, logging, metrics (as shipped, no OTLP endpoint)
//   no metrics       the request counter and histogram compiled out
//   no proxy         a build whose proxy matches nothing (request IDs still come from the Node hook)
//   no proxy, silent that build with LOG_LEVEL=silent
// Same machine, same run, interleaved rounds.   npm run bench:layers [-- --smoke]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  buildVariant,
  disableProxy,
  interleaved,
  log,
  machineDescription,
  markdownTable,
  median,
  ratio,
  rewrite,
  startApp,
  startSink,
} from './harness.mjs'

const smoke = process.argv.includes('--smoke')
const settings = smoke ? { rounds: 1, duration: 1, warmup: 1 } : { rounds: 3, duration: 5, warmup: 2 }

const full = buildVariant('layers-full')
const noMetrics = buildVariant('layers-no-metrics', (dir) =>
  rewrite(dir, 'lib/startup.ts', /\n\s*onRequestFinished\(recordHttpRequest\)/, '\n  // bench: metrics off'),
)
const noProxy = buildVariant('layers-no-proxy', disableProxy)

const sink = await startSink()
const dirs = []
const database = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalbox-bench-'))
  dirs.push(dir)
  return `pglite:${dir}`
}
const targets = []
try {
  const start = async (name, dir, env) =>
    targets.push({ name, ...(await startApp(dir, { DATABASE_URL: database(), LOG_LEVEL: 'info', ...env })) })
  await start('full + tracing', full, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url })
  await start('full', full, {})
  await start('no metrics', noMetrics, {})
  await start('no proxy', noProxy, {})
  await start('no proxy, silent', noProxy, { LOG_LEVEL: 'silent' })
  const sections = []
  for (const route of ['/status', '/api/health']) {
    log(`load ${route}`)
    const results = await interleaved(
      targets.map((t) => ({ ...t, path: route })),
      settings,
    )
    const reference = median(results.full.map((r) => r.rps))
    const rows = targets.map(({ name }) => {
      const runs = results[name]
      const rps = median(runs.map((r) => r.rps))
      return [
        name,
        runs.map((r) => r.rps.toFixed(0)).join(' / '),
        rps.toFixed(0),
        median(runs.map((r) => r.p50)).toFixed(1),
        median(runs.map((r) => r.p99)).toFixed(1),
        ratio(rps, reference).toFixed(3),
      ]
    })
    sections.push(
      `\`${route}\`, ${settings.rounds} interleaved rounds of ${settings.duration} s, 10 connections\n\n${markdownTable(['variant', 'req/s per round', 'median req/s', 'p50 ms', 'p99 ms', 'ratio to full'], rows)}`,
    )
  }
  console.log(`\n${machineDescription()}\n\n${sections.join('\n\n')}`)
} finally {
  for (const target of targets) await target.stop()
  await sink.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}
