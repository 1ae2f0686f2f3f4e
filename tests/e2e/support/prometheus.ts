// A real Prometheus (Debian's `prometheus` package) scraping one app server every second, with
// rule files loaded and evaluated every second, and its HTTP API for queries. Resolves once it
// has scraped the app.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { freePort } from './server'

export const hasPrometheus = () => spawnSync('which', ['promtool', 'prometheus']).status === 0

export type Sample = { metric: Record<string, string>; value: [number, string] }
export type RangeSeries = { metric: Record<string, string>; values: [number, string][] }
type Answer<T> = { status: 'success'; data: { result: T[] } } | { status: 'error'; error: string }

export type Prometheus = {
  url: string
  /** An instant query; rejects with Prometheus's error (a bad expression) instead of returning []. */
  query: (expr: string) => Promise<Sample[]>
  queryRange: (expr: string, start: number, end: number, stepSeconds: number) => Promise<RangeSeries[]>
  stop: () => Promise<void>
}

export async function startPrometheus({
  target,
  token,
  ruleFiles = [],
}: {
  target: string
  token: string
  ruleFiles?: string[]
}): Promise<Prometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'signalbox-prom-'))
  const config = path.join(dir, 'prometheus.yml')
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...ruleFiles.map((file) => `  - ${JSON.stringify(path.resolve(file))}`),
      'scrape_configs:',
      '  - job_name: signalbox',
      '    metrics_path: /api/metrics',
      '    authorization:',
      `      credentials: ${token}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  )
  execFileSync('promtool', ['check', 'config', config], { stdio: 'ignore' })
  const port = await freePort()
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: 'ignore' },
  )
  const url = `http://127.0.0.1:${port}`
  const api = async <T>(endpoint: string, params: Record<string, string>): Promise<T[]> => {
    const body = (await (await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`)).json()) as Answer<T>
    if (body.status !== 'success') throw new Error(`${params.query}: ${body.error}`)
    return body.data.result
  }
  // Ready is not enough: target discovery hands the first targets over after about 5 s, and
  // what the app counted before the first scrape is invisible to rate(). Wait for a scrape.
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      if ((await api<Sample>('query', { query: 'up{job="signalbox"} == 1' })).length > 0) break
    } catch {
      // still starting
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM')
      throw new Error('Prometheus did not scrape the app within 30 s')
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    url,
    query: (expr) => api<Sample>('query', { query: expr }),
    queryRange: (expr, start, end, step) =>
      api<RangeSeries>('query_range', { query: expr, start: String(start), end: String(end), step: String(step) }),
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r))
      await rm(dir, { recursive: true, force: true })
    },
  }
}
