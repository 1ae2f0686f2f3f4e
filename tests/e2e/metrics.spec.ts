// /api/metrics on a production server, checked by Prometheus's own tools: promtool lints the
// exposition, and a real Prometheus server scrapes it every second and answers a query.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test } from '@playwright/test'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'
import { freePort, startServer, type AppServer } from './support/server'

const TOKEN = 'e2e-metrics-token-0123456789'
const hasPrometheus = spawnSync('which', ['promtool', 'prometheus']).status === 0
// Locally the Prometheus checks are skipped without the tools; in CI their absence is a failure.
const requirePrometheus = () => {
  if (!hasPrometheus && process.env.CI) throw new Error('promtool/prometheus not found: apt-get install -y prometheus')
  test.skip(!hasPrometheus, 'Prometheus is not installed (Debian/Ubuntu: apt-get install -y prometheus)')
}

let app: AppServer
let metricsPort: number
let otlp: OtlpReceiver
test.beforeAll(async () => {
  metricsPort = await freePort()
  otlp = await startOtlpReceiver() // tracing on, so latency observations carry their trace_id
  app = await startServer({
    env: { METRICS_TOKEN: TOKEN, METRICS_PORT: String(metricsPort), OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint },
  })
})
test.afterAll(async () => {
  await app?.stop()
  await otlp?.close()
})

const randomHex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')

/** GET /status as part of a new sampled trace (a caller's traceparent); returns its trace ID. */
async function tracedStatusRequest(): Promise<string> {
  const traceId = randomHex(16)
  await (await fetch(`${app.url}/status`, { headers: { traceparent: `00-${traceId}-${randomHex(8)}-01` } })).text()
  return traceId
}

const scrape = (headers: Record<string, string> = {}) => fetch(`${app.url}/api/metrics`, { headers })

test('the endpoint refuses missing and wrong tokens', async () => {
  expect((await scrape()).status).toBe(401)
  expect((await scrape({ authorization: 'Bearer wrong-token' })).status).toBe(401)
  expect((await scrape({ authorization: TOKEN })).status).toBe(401)
  const ok = await scrape({ authorization: `Bearer ${TOKEN}` })
  expect(ok.status).toBe(200)
  expect(ok.headers.get('content-type')).toContain('text/plain')
})

test('METRICS_PORT serves the exposition on its own listener; the public route still wants the token', async () => {
  const own = `http://127.0.0.1:${metricsPort}/metrics`
  expect((await fetch(own)).status).toBe(401) // METRICS_TOKEN is set: wanted here too
  const ok = await fetch(own, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(ok.status).toBe(200)
  expect(ok.headers.get('content-type')).toContain('text/plain')
  expect(await ok.text()).toContain('# TYPE http_server_requests_total counter')
  // Scrapes of the metrics port are not the app's traffic: no access line for them.
  await new Promise((r) => setTimeout(r, 300))
  const metricsPathLines = () =>
    app.output.filter((line) => line.includes('"kind":"access"') && line.includes('"path":"/metrics"'))
  expect(metricsPathLines()).toEqual([])
  expect(app.output.some((line) => line.includes('"msg":"metrics_listening"'))).toBe(true)
  // The app's port does not serve it (and logs that 404), and the public route keeps its rule.
  expect((await fetch(`${app.url}/metrics`)).status).toBe(404)
  expect((await scrape()).status).toBe(401)
  await expect.poll(() => metricsPathLines().length).toBe(1)
})

test('a traced request leaves its trace_id as an exemplar, in OpenMetrics only: the text format stays plain', async () => {
  const traceId = await tracedStatusRequest()
  const auth = { authorization: `Bearer ${TOKEN}` }
  const exemplar = new RegExp(
    `^http_server_request_duration_seconds_bucket\\{.*route="/status".*\\} \\d+ # \\{trace_id="${traceId}"\\}`,
    'm',
  )
  let open = ''
  for (let attempt = 0; attempt < 20 && !exemplar.test(open); attempt++) {
    await new Promise((r) => setTimeout(r, 50)) // observed when the response closes
    const response = await scrape({ ...auth, accept: 'application/openmetrics-text; version=1.0.0' })
    expect(response.headers.get('content-type')).toContain('application/openmetrics-text')
    open = await response.text()
  }
  expect(open).toMatch(exemplar)
  expect(open.endsWith('# EOF\n')).toBe(true)
  const plain = await scrape(auth)
  expect(plain.headers.get('content-type')).toContain('text/plain; version=0.0.4')
  const text = await plain.text()
  expect(text).not.toContain(traceId)
  expect(text).toContain('# TYPE http_server_requests_total counter')
})

test('METRICS_PORT already taken: metrics_listener_failed at error, and the app serves without it', async () => {
  // Someone else holds the port on the address the listener binds to (METRICS_HOST's default).
  const squatter = net.createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
  const { port } = squatter.address() as net.AddressInfo
  const taken = await startServer({ env: { METRICS_PORT: String(port) } })
  try {
    const failure = () => taken.output.find((line) => line.includes('"msg":"metrics_listener_failed"'))
    await expect.poll(failure).toBeTruthy()
    expect(JSON.parse(failure()!)).toMatchObject({
      level: 'error',
      host: '127.0.0.1',
      port,
      err: { code: 'EADDRINUSE' },
    })
    expect(taken.output.some((line) => line.includes('"msg":"metrics_listening"'))).toBe(false)
    // Still serving after the failure, pages as well as its health check.
    const status = await fetch(`${taken.url}/status`)
    expect(status.status).toBe(200)
    expect(taken.process.exitCode).toBeNull()
  } finally {
    await taken.stop()
    await new Promise((resolve) => squatter.close(resolve))
  }
})

test('in production without METRICS_TOKEN the endpoint does not exist', async () => {
  const bare = await startServer()
  try {
    expect((await fetch(`${bare.url}/api/metrics`)).status).toBe(404)
  } finally {
    await bare.stop()
  }
})

test('route labels are patterns: 500 customer URLs and 500 unknown paths keep series bounded', async () => {
  // Signed out, each customer page answers with the sign-in redirect, but it is still the
  // /customers/[id] route: the label is the pattern, whatever the ID.
  await Promise.all(
    Array.from({ length: 500 }, async () =>
      (await fetch(`${app.url}/customers/${crypto.randomUUID()}`, { redirect: 'manual' })).text(),
    ),
  )
  await Promise.all(
    Array.from({ length: 500 }, async (_, i) =>
      (await fetch(`${app.url}/no-such-customer/${i}-${Math.random()}`)).text(),
    ),
  )
  await (await fetch(`${app.url}/status`)).text()
  // A request is counted when its response closes, just after the client has read it.
  let text = ''
  for (let attempt = 0; attempt < 20 && !text.includes('route="/status",status="200"'); attempt++) {
    await new Promise((r) => setTimeout(r, 50))
    text = await (await scrape({ authorization: `Bearer ${TOKEN}` })).text()
  }
  const series = text.split('\n').filter((line) => line.startsWith('http_server_requests_total{'))
  expect(series.length).toBeGreaterThan(0)
  expect(series.length).toBeLessThan(20)
  expect(text).toMatch(/http_server_requests_total\{method="GET",route="unmatched",status="404"\} (\d+)/)
  expect(Number(/route="unmatched",status="404"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(500)
  expect(Number(/route="\/customers\/\[id\]",status="307"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(500)
  expect(text).not.toMatch(/route="\/customers\/[0-9a-f]{8}-/)
  expect(text).toContain('route="/status",status="200"')
  for (const name of [
    'http_server_request_duration_seconds_bucket',
    'audit_log_writes_total',
    'analytics_events_total',
    'feature_flag_evaluations_total',
    // Every feature's series from the first scrape, before any action ran.
    'feature_work_seconds_count{feature="customers",kind="action"} 0',
    'feature_work_seconds_count{feature="auth",kind="api"} 0',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_seconds',
    // Exposed from the first scrape (0 until a line is dropped): a stuck log shipper shows here.
    '\nlog_lines_dropped 0\n',
  ]) {
    expect(text).toContain(name)
  }
})

test('promtool accepts the exposition', async () => {
  requirePrometheus()
  const text = await (await scrape({ authorization: `Bearer ${TOKEN}` })).text()
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
  expect(result.stdout + result.stderr).toBe('')
  expect(result.status).toBe(0)
})

test('a real Prometheus scrapes the app and answers a query', async () => {
  requirePrometheus()
  const dir = await mkdtemp(path.join(tmpdir(), 'signalbox-prom-'))
  const { host } = new URL(app.url)
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: signalbox',
      '    metrics_path: /api/metrics',
      '    authorization:',
      `      credentials: ${TOKEN}`,
      '    static_configs:',
      `      - targets: ['${host}']`,
      // The metrics' own port: Prometheus asks it for OpenMetrics, and keeps the exemplars.
      '  - job_name: signalbox-metrics-port',
      '    authorization:',
      `      credentials: ${TOKEN}`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${metricsPort}']`,
      '',
    ].join('\n'),
  )
  execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { stdio: 'ignore' })
  const port = await freePort()
  const prometheus = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--enable-feature=exemplar-storage',
    ],
    { stdio: 'ignore' },
  )
  try {
    await (await fetch(`${app.url}/status`)).text()
    const query = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('http_server_requests_total{job="signalbox",route="/status"}')}`
    let found: { metric: Record<string, string>; value: [number, string] }[] = []
    const deadline = Date.now() + 30_000
    while (found.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      try {
        const body = (await (await fetch(query)).json()) as { data?: { result: typeof found } }
        found = body.data?.result ?? []
      } catch {
        // Prometheus still starting
      }
    }
    expect(found.length).toBeGreaterThan(0)
    expect(found[0]!.metric).toMatchObject({ method: 'GET', route: '/status', status: '200' })
    expect(Number(found[0]!.value[1])).toBeGreaterThanOrEqual(1)

    // From a latency bucket to the trace: the exemplar Prometheus stored names the request's trace.
    const traceId = await tracedStatusRequest()
    const exemplars = `http://127.0.0.1:${port}/api/v1/query_exemplars?query=${encodeURIComponent('http_server_request_duration_seconds_bucket{job="signalbox-metrics-port",route="/status"}')}`
    let traceIds: string[] = []
    while (!traceIds.includes(traceId) && Date.now() < deadline + 15_000) {
      await new Promise((r) => setTimeout(r, 500))
      const now = Date.now() / 1000
      const body = (await (await fetch(`${exemplars}&start=${now - 300}&end=${now + 10}`)).json()) as {
        data?: { exemplars: { labels: { trace_id?: string } }[] }[]
      }
      traceIds = (body.data ?? []).flatMap((series) => series.exemplars.map((e) => e.labels.trace_id ?? ''))
    }
    expect(traceIds).toContain(traceId)
  } finally {
    prometheus.kill('SIGTERM')
    await new Promise((r) => prometheus.once('exit', r))
    await rm(dir, { recursive: true, force: true })
  }
})
