// /ingest and /monitoring on the production server (`next start`), attacked over a bare TCP
// socket: paths that try to leave the allow-list, methods the SDKs never use, bodies that
// declare too much, lie, never end or drip. The PostHog key and the Sentry DSN are read by the
// server at run time, so the default build serves both forwarders here; local recorders stand
// in for PostHog and Sentry and must see nothing that was refused.
import { expect, test } from '@playwright/test'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import { rawRequest } from '../support/raw-http'
import { startSentryRecorder, type SentryRecorder } from '../support/sentry-recorder'
import { startServer, type AppServer } from './support/server'

const KEY = 'phc_forwarders_e2e'
const MiB = 1024 * 1024
/** The forwarders' body deadline (lib/analytics/ingest.ts, lib/errors/tunnel.ts). */
const BODY_TIMEOUT_MS = 10_000

const portOf = (app: AppServer) => Number(new URL(app.url).port)
const head = (requestLine: string, ...headers: string[]) => [requestLine, 'Host: 127.0.0.1', ...headers].join('\r\n')
/** Envelopes that came through the tunnel (the server's own SDK sends to the recorder too). */
const tunnelled = (recorder: SentryRecorder) =>
  recorder.envelopes.filter((e) => String(e.requestHeaders['x-sentry-auth']).includes('signalbox-tunnel'))

test.describe('with a PostHog key and a Sentry DSN', () => {
  let app: AppServer
  let posthog: PostHogRecorder
  let sentry: SentryRecorder
  let otlp: OtlpReceiver

  test.beforeAll(async () => {
    test.setTimeout(120_000)
    posthog = await startPostHogRecorder()
    sentry = await startSentryRecorder()
    otlp = await startOtlpReceiver()
    app = await startServer({
      env: {
        NEXT_PUBLIC_POSTHOG_KEY: KEY,
        POSTHOG_HOST: posthog.url,
        POSTHOG_ASSETS_HOST: posthog.url,
        NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
        // Tracing on, so the server's fetch calls could carry a trace; OTEL_PROPAGATE_TO is unset,
        // so no destination is ours and neither vendor may get one.
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_PROPAGATE_TO: undefined,
      },
    })
  })
  test.afterAll(async () => {
    await app?.stop()
    await posthog?.close()
    await sentry?.close()
    await otlp?.close()
  })

  test('forwarded events carry no trace headers to PostHog or Sentry, though the request came with a sampled trace and the server traced it', async ({
    request,
  }) => {
    const traceId = 'abcdef0123456789abcdef0123456789'
    const sampledTrace = {
      'sentry-trace': `${traceId}-0123456789abcdef-1`,
      baggage: `sentry-trace_id=${traceId},sentry-sampled=true,sentry-sample_rand=0.01`,
      traceparent: `00-${traceId}-0123456789abcdef-01`,
    }
    const response = await request.post(`${app.url}/ingest/e/`, {
      headers: { 'content-type': 'application/json', ...sampledTrace },
      data: { api_key: KEY, event: 'trace_headers_checked', properties: { distinct_id: 'd' } },
    })
    expect(response.status()).toBe(200)
    const forwarded = posthog.requests.filter((r) => r.method === 'POST' && r.path === '/e/')
    expect(forwarded.length).toBeGreaterThan(0)
    for (const sent of forwarded) expect(sent.traceHeaders).toEqual([])

    const envelope = `${JSON.stringify({ dsn: sentry.dsn, sent_at: new Date().toISOString() })}\n{"type":"event"}\n{"event_id":"0123456789abcdef0123456789abcdef","message":"untraced tunnel"}\n`
    const tunnel = await request.post(`${app.url}/monitoring`, {
      headers: { 'content-type': 'application/x-sentry-envelope', ...sampledTrace },
      data: envelope,
    })
    expect(tunnel.status()).toBe(200)
    const sent = tunnelled(sentry).find((e) => e.items.some((item) => item.text.includes('untraced tunnel')))
    expect(sent).toBeDefined()
    for (const name of ['traceparent', 'tracestate', 'baggage', 'sentry-trace'])
      expect(sent!.requestHeaders[name], name).toBeUndefined()
    // The server did continue that trace (so a fetch inside it had one to send).
    await otlp.waitFor((spans) => spans.some((s) => s.traceId === traceId))
    // The next test counts what reaches PostHog from nothing.
    posthog.requests.splice(0)
    posthog.events.splice(0)
    posthog.bodies.splice(0)
  })

  test('only the paths and methods posthog-js uses reach PostHog; nothing else leaves, whatever the path says', async () => {
    // What the server answers each request line. `..` and `%2e%2e` segments are resolved before
    // routing and repeated slashes are redirected (308) by Next itself, so those never reach the
    // forwarder; everything else under /ingest that posthog-js does not use is a 404.
    const hostile: Array<[string, number]> = [
      ['GET /ingest/../api/health', 200], // the app's own /api/health, not PostHog's
      ['GET /ingest/%2e%2e/api/health', 200],
      ['GET /ingest/%2E%2E/%2E%2E/etc/passwd', 404],
      ['GET /ingest/static/..%2f..%2fapi%2fhealth.js', 404],
      ['POST /ingest/e%2F..%2F..%2Fapi%2Fx', 404],
      ['GET /ingest//evil.example/e/', 308],
      ['GET /ingest/static//evil.example/x.js', 308],
      ['GET /ingest/%2F%2Fevil.example/e/', 404],
      ['GET /ingest/@evil.example/x', 404],
      ['POST http://evil.example/ingest/e/', 308], // absolute-form target naming another host
      ['GET //evil.example/ingest/e/', 308],
      ['GET /ingest', 404],
      ['GET /ingest/', 404],
      ['POST /INGEST/e/', 404],
      ['POST /ingest/e/;x', 404],
      ['POST /ingest/batch/', 404], // posthog-node's endpoint; the server talks to PostHog directly
      ['POST /ingest/decide/', 404],
      ['POST /ingest/s/', 404], // session recording is off
      ['GET /ingest/api/projects/1/', 404],
      [`GET /ingest/array/phc_someone_else/config`, 404],
      ['GET /ingest/static/recorder.js.map', 404],
    ]
    for (const [line, status] of hostile) {
      const answer = await rawRequest(portOf(app), head(`${line} HTTP/1.1`, 'Content-Length: 2', 'Connection: close'), {
        kind: 'bytes',
        data: '{}',
      })
      expect(answer.status, line).toBe(status)
    }
    expect(posthog.requests).toEqual([])

    // The wrong method on a path posthog-js uses: 405, naming the right one.
    const wrong = await rawRequest(portOf(app), head('GET /ingest/e/ HTTP/1.1', 'Connection: close'), { kind: 'none' })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.allow).toBe('POST')
    const put = await rawRequest(
      portOf(app),
      head('PUT /ingest/static/recorder.js HTTP/1.1', 'Content-Length: 0', 'Connection: close'),
      { kind: 'none' },
    )
    expect(put.status).toBe(405)
    expect(put.headers.allow).toBe('GET')
    const monitoringGet = await rawRequest(portOf(app), head('GET /monitoring HTTP/1.1', 'Connection: close'), {
      kind: 'none',
    })
    expect(monitoringGet.status).toBe(405)
    expect(monitoringGet.headers.allow).toBe('POST')

    // And what posthog-js does use goes through.
    expect((await fetch(`${app.url}/ingest/e/?ip=0`, { method: 'POST', body: '{"event":"ok"}' })).status).toBe(200)
    expect((await fetch(`${app.url}/ingest/static/recorder.js?v=1.449.2`)).status).toBe(200)
    expect((await fetch(`${app.url}/ingest/array/${KEY}/config`)).status).toBe(200)
    expect(posthog.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /e/',
      'GET /static/recorder.js',
      `GET /array/${KEY}/config`,
    ])
  })

  for (const path of ['/ingest/e/', '/monitoring']) {
    test(`${path}: bodies that declare too much, never end or drip are refused in bounded time, the connection ended`, async () => {
      test.setTimeout(60_000)
      const before = { posthog: posthog.requests.length, sentry: tunnelled(sentry).length }
      const port = portOf(app)
      const [declared, endless, lying, drip, slowLie] = await Promise.all([
        rawRequest(port, head(`POST ${path} HTTP/1.1`, `Content-Length: ${50 * MiB}`), {
          kind: 'endless',
          chunked: false,
        }),
        rawRequest(port, head(`POST ${path} HTTP/1.1`, 'Transfer-Encoding: chunked'), {
          kind: 'endless',
          chunked: true,
        }),
        // Says it is small, then keeps going: Node's parser ends the body where the length says,
        // and reads what follows as a next request: never as part of this body.
        rawRequest(port, head(`POST ${path} HTTP/1.1`, 'Content-Length: 10'), { kind: 'endless', chunked: false }),
        rawRequest(port, head(`POST ${path} HTTP/1.1`, 'Transfer-Encoding: chunked'), {
          kind: 'drip',
          intervalMs: 500,
          chunked: true,
        }),
        rawRequest(port, head(`POST ${path} HTTP/1.1`, 'Content-Length: 1000'), { kind: 'bytes', data: 'ten bytes!' }),
      ])
      expect(declared.status).toBe(413)
      expect(declared.ms).toBeLessThan(3000)
      expect(declared.headers.connection).toBe('close')
      expect(declared.closedByServer).toBe(true)

      expect(endless.status).toBe(413)
      expect(endless.ms).toBeLessThan(5000)
      expect(endless.closedByServer).toBe(true)

      expect(lying.closedByServer).toBe(true)
      expect(lying.ms).toBeLessThan(5000)

      for (const slow of [drip, slowLie]) {
        expect(slow.status).toBe(408)
        expect(slow.ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 500)
        expect(slow.ms).toBeLessThan(BODY_TIMEOUT_MS + 5000)
        expect(slow.closedByServer).toBe(true)
      }
      // Nothing of these reached PostHog or Sentry, and the server still answers.
      await new Promise((resolve) => setTimeout(resolve, 500))
      expect(posthog.requests.length - before.posthog).toBeLessThanOrEqual(path === '/ingest/e/' ? 1 : 0) // the 10 bytes the lying body did send, at most
      expect(tunnelled(sentry).length).toBe(before.sentry)
      expect((await fetch(`${app.url}/api/health`)).status).toBe(200)
    })
  }
})

test.describe('without a PostHog key or a Sentry DSN', () => {
  let app: AppServer
  let posthog: PostHogRecorder

  test.beforeAll(async () => {
    test.setTimeout(120_000)
    posthog = await startPostHogRecorder()
    app = await startServer({
      env: {
        NEXT_PUBLIC_POSTHOG_KEY: undefined,
        NEXT_PUBLIC_SENTRY_DSN: undefined,
        POSTHOG_HOST: posthog.url,
        POSTHOG_ASSETS_HOST: posthog.url,
      },
    })
  })
  test.afterAll(async () => {
    await app?.stop()
    await posthog?.close()
  })

  test('/ingest and /monitoring do not exist: 404 for every method, before a byte of the body is read', async () => {
    for (const path of ['/ingest/e/', '/ingest/static/recorder.js', '/monitoring']) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
        const answer = await rawRequest(
          portOf(app),
          head(`${method} ${path} HTTP/1.1`, 'Content-Length: 2', 'Connection: close'),
          { kind: 'bytes', data: '{}' },
        )
        expect(answer.status, `${method} ${path}`).toBe(404)
      }
      const declared = await rawRequest(portOf(app), head(`POST ${path} HTTP/1.1`, `Content-Length: ${50 * MiB}`), {
        kind: 'endless',
        chunked: false,
      })
      expect(declared.status).toBe(404)
      expect(declared.ms).toBeLessThan(3000)
      expect(declared.closedByServer).toBe(true)
    }
    expect(posthog.requests).toEqual([])
  })
})
