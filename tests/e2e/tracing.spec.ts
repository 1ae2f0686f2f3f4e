// Traces end to end on the production build: the real OpenTelemetry exporter sends to a local
// OTLP receiver (standing in for Jaeger or Tempo), and, with a Sentry DSN as well, Sentry is
// linked to the same traces: it gets the spans over OTLP and its error events name the trace.
// The DSN is read by the server at run time, so this spec serves the default build.
import { expect, test } from '@playwright/test'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver'
import { startSentryRecorder, type SentryRecorder } from '../support/sentry-recorder'
import { accessLines, jsonLines, waitForLogs, type LogLine } from './support/logs'
import { signUp } from './support/auth'
import { startServer, type AppServer } from './support/server'

const SPAN_KIND_SERVER = 2

let app: AppServer
let otlp: OtlpReceiver
let sentry: SentryRecorder
test.beforeAll(async () => {
  otlp = await startOtlpReceiver()
  sentry = await startSentryRecorder()
  app = await startServer({
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
      // The recorder stands in for a service of ours here: listed, it gets the trace (unlisted, as
      // Sentry itself would be, it gets none: tests/e2e/forwarders.spec.ts).
      OTEL_PROPAGATE_TO: new URL(sentry.dsn).origin,
      DEBUG_ROUTES: '1',
      LOG_LEVEL: 'debug',
    },
    waitForReady: true,
  })
})
test.afterAll(async () => {
  await app?.stop()
  await otlp?.close()
  await sentry?.close()
})

const randomHex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')

/** The spans from `span` up to the trace's root, following parent IDs. */
function ancestors(spans: ReceivedSpan[], span: ReceivedSpan): ReceivedSpan[] {
  const chain: ReceivedSpan[] = []
  for (
    let at = spans.find((s) => s.spanId === span.parentSpanId);
    at;
    at = spans.find((s) => s.spanId === at!.parentSpanId)
  )
    chain.push(at)
  return chain
}

test('a page request is one trace: the entry span continues traceparent and carries the request ID, its queries are child spans, the access line names it', async ({
  page,
}) => {
  await signUp(page, app, 'trace@example.com')
  const requestId = `trace-page-${Date.now()}`
  const traceId = randomHex(16)
  const callerSpanId = randomHex(8)
  const response = await page.request.get(`${app.url}/customers?page=1&q=planted-query-value`, {
    headers: { 'x-request-id': requestId, traceparent: `00-${traceId}-${callerSpanId}-01` },
  })
  expect(response.status()).toBe(200)
  expect(response.headers()['x-request-id']).toBe(requestId)

  // Spans leave in batches as they end, the request's outer spans last: wait for the whole trace
  // (every query's parents up to the caller's span) before looking at it.
  const complete = (all: ReceivedSpan[]) => {
    const trace = all.filter((s) => s.traceId === traceId)
    const queries = trace.filter((s) => s.attributes['db.system.name'] === 'postgresql')
    return queries.length > 0 && queries.every((q) => ancestors(trace, q).at(-1)?.parentSpanId === callerSpanId)
  }
  await otlp.waitFor(complete)
  const spans = otlp.spans.filter((s) => s.traceId === traceId)
  const entry = spans.find((s) => s.parentSpanId === callerSpanId)
  expect(entry, spans.map((s) => s.name).join(', ')).toBeDefined()
  expect(entry!.kind).toBe(SPAN_KIND_SERVER)
  expect(entry!.attributes.request_id).toBe(requestId)
  expect(entry!.resource['service.name']).toBe('signalbox')
  for (const span of spans) expect(span.attributes.request_id).toBe(requestId)

  // Each database query is a span under the request's entry span.
  const queries = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql')
  expect(queries.map((q) => q.name)).toContain('SELECT customers')
  for (const query of queries) expect(ancestors(spans, query).at(-1)?.spanId).toBe(entry!.spanId)

  // The render's server span names the route and, once the session is read, the user.
  const [access] = await waitForLogs(app, () => accessLines(app, requestId).length === 1).then(() =>
    accessLines(app, requestId),
  )
  const render = spans.find((s) => s.kind === SPAN_KIND_SERVER && s.attributes['http.route'] === '/customers')
  expect(render?.attributes.user_id).toBe(access!.user_id)

  // Logs and traces link both ways: the access line names the trace and its entry span.
  expect(access).toMatchObject({ trace_id: traceId, span_id: entry!.spanId })
  // Query values never leave the app, in span names or attributes.
  expect(otlp.bodies.join('\n')).not.toContain('planted-query-value')
})

test('server actions are spans, and log lines written inside a span carry its trace and span IDs', async ({ page }) => {
  const actionRequestId = await signUp(page, app, 'action@example.com')
  // Next renders the redirect target with an internal request that keeps the request ID.
  const actionLine = () => accessLines(app, actionRequestId).find((line) => line.method === 'POST')
  await waitForLogs(app, () => actionLine() !== undefined)
  const traceId = String(actionLine()!.trace_id)
  await otlp.waitFor((spans) => spans.some((s) => s.traceId === traceId && s.name === 'server_action signUp'))
  const spans = otlp.spans.filter((s) => s.traceId === traceId)
  const action = spans.find((s) => s.name === 'server_action signUp')!
  expect(action.attributes).toMatchObject({ 'server_action.name': 'signUp', request_id: actionRequestId })
  // The sign-up writes its user to the database inside the action's span.
  expect(
    spans.some((s) => s.attributes['db.operation.name'] === 'INSERT' && ancestors(spans, s).includes(action)),
  ).toBe(true)

  // The sign-up's analytics line is written by after(), once the response has gone: wait for it
  // rather than race it. It is logged inside the action's trace.
  const analyticsLine = (lines: LogLine[]) =>
    lines.find((line) => line.request_id === actionRequestId && line.msg === 'analytics_event')
  expect(analyticsLine(await waitForLogs(app, (lines) => analyticsLine(lines) !== undefined))?.trace_id).toBe(traceId)

  // Every other line of that request is linked to one of its traces (the action's, or the
  // internal render's), and the action's lines name spans of the action's trace.
  const traces = new Set(accessLines(app, actionRequestId).map((line) => String(line.trace_id)))
  const inner = jsonLines(app).filter((line) => line.request_id === actionRequestId && line.kind !== 'access')
  for (const line of inner)
    expect(traces.has(String(line.trace_id)), `${line.msg} names a trace of the request`).toBe(true)
  const inAction = inner.filter((line) => line.trace_id === traceId)
  // Spans leave as they end, and a line written late (after()) may name a span still open when
  // the action's span was exported: wait for each named span before checking it belongs.
  const named = new Set(inAction.map((line) => String(line.span_id)))
  await otlp
    .waitFor((all) => [...named].every((id) => all.some((s) => s.traceId === traceId && s.spanId === id)))
    .catch(() => {})
  const spanIds = new Set(otlp.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId))
  for (const line of inAction)
    expect(spanIds.has(String(line.span_id)), `${line.msg} names a span of the trace`).toBe(true)
})

test('with a Sentry DSN too, Sentry gets the same spans and its error events name the OpenTelemetry trace', async ({
  request,
}) => {
  const requestId = `trace-error-${Date.now()}`
  const response = await request.get(`${app.url}/api/debug/sentry`, { headers: { 'x-request-id': requestId } })
  expect(response.status()).toBe(500)
  const [access] = await waitForLogs(app, () => accessLines(app, requestId).length === 1).then(() =>
    accessLines(app, requestId),
  )
  const traceId = String(access!.trace_id)
  expect(traceId).toMatch(/^[0-9a-f]{32}$/)

  await sentry.waitFor(() =>
    sentry
      .eventsWithMessage('Planted server error from /api/debug/sentry')
      .some((e) => (e.tags?.request_id as string) === requestId),
  )
  const [event] = sentry
    .eventsWithMessage('Planted server error from /api/debug/sentry')
    .filter((e) => e.tags?.request_id === requestId)
  expect((event!.contexts?.trace as { trace_id?: string } | undefined)?.trace_id).toBe(traceId)

  // One tracer provider: Sentry gets that trace's spans over OTLP, and no transaction of its own.
  await sentry.waitFor(() => sentry.otlpSpans.some((s) => s.traceId === traceId))
  await otlp.waitFor((spans) => spans.some((s) => s.traceId === traceId))
  expect(sentry.items('transaction')).toEqual([])
  // The error line of that request is linked as well.
  const errorLine = jsonLines(app).find((line) => line.request_id === requestId && line.kind === 'request_error')
  expect(errorLine?.trace_id).toBe(traceId)
})

test('fetch calls to an origin in OTEL_PROPAGATE_TO carry the trace: the tunnel forwards an envelope with our traceparent', async ({
  request,
}) => {
  const requestId = `trace-fetch-${Date.now()}`
  const envelope = `${JSON.stringify({ dsn: sentry.dsn, sent_at: new Date().toISOString() })}\n{"type":"event"}\n{"event_id":"fedcba9876543210fedcba9876543210","message":"traced tunnel"}\n`
  const response = await request.post(`${app.url}/monitoring`, {
    data: envelope,
    headers: { 'x-request-id': requestId, 'Content-Type': 'application/x-sentry-envelope' },
  })
  expect(response.status()).toBe(200)
  const [access] = await waitForLogs(app, () => accessLines(app, requestId).length === 1).then(() =>
    accessLines(app, requestId),
  )
  const forwarded = sentry.envelopes.find((e) => e.items.some((item) => item.text.includes('traced tunnel')))
  const traceparent = String(forwarded?.requestHeaders.traceparent)
  expect(traceparent).toMatch(new RegExp(`^00-${String(access!.trace_id)}-[0-9a-f]{16}-01$`))
  // The fetch is a span of the request (Next's), and the upstream's parent is that span.
  await otlp.waitFor((spans) => spans.some((s) => s.spanId === traceparent.split('-')[2]))
  const fetchSpan = otlp.spans.find((s) => s.spanId === traceparent.split('-')[2])!
  expect(fetchSpan.name).toMatch(/^fetch POST http:\/\/127\.0\.0\.1:\d+\/api\/1\/envelope\/$/)
  expect(fetchSpan.attributes.request_id).toBe(requestId)
})
