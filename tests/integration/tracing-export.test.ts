// The tracer provider the app starts when OTEL_EXPORTER_OTLP_ENDPOINT is set, for real: spans
// leave through the OpenTelemetry exporter to a local OTLP receiver, an incoming `traceparent`
// is continued, an outgoing fetch carries the trace to a listed origin (OTEL_PROPAGATE_TO) and
// to no other, and spans carry the request ID.
// (That the fetch is a span of its own is Next's doing: see tests/e2e/tracing.spec.ts.)
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { context, propagation, trace } from '@opentelemetry/api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestContextStorage, type RequestContext } from '@/lib/request/context'
import { setRequestUser } from '@/lib/errors/user'
import { startTracing } from '@/lib/traces/tracing'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'

/** A local HTTP server that records the headers of each request; `redirectTo` answers /redirect with a 302 there. */
async function startRecordingServer(redirectTo?: () => string) {
  const headers: http.IncomingHttpHeaders[] = []
  const server = http.createServer((req, res) => {
    headers.push(req.headers)
    if (req.url === '/redirect' && redirectTo) res.writeHead(302, { location: redirectTo() })
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { server, headers, url }
}

let receiver: OtlpReceiver
/** Our own service, listed in propagateTo. */
let downstream: Awaited<ReturnType<typeof startRecordingServer>>
/** A third party (PostHog, GitHub…): not listed. */
let thirdParty: Awaited<ReturnType<typeof startRecordingServer>>
let downstreamUrl: string

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50'
  thirdParty = await startRecordingServer()
  downstream = await startRecordingServer(() => `${thirdParty.url}/after-redirect`)
  downstreamUrl = downstream.url
  startTracing({ propagateTo: [downstreamUrl] })
})
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  delete process.env.OTEL_BSP_SCHEDULE_DELAY
  for (const { server } of [downstream, thirdParty]) await new Promise((resolve) => server.close(resolve))
  await receiver.close()
})

const tracer = () => trace.getTracer('test')

describe('OTLP trace export', () => {
  it('continues an incoming traceparent, tags the entry span with the request ID, and propagates to fetch', async () => {
    const incomingTraceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const incomingSpanId = '00f067aa0ba902b7'
    const request: RequestContext = { requestId: 'req-otel-1', requestIdSource: 'server', startedAt: 0 }
    const remote = propagation.extract(context.active(), { traceparent: `00-${incomingTraceId}-${incomingSpanId}-01` })

    await requestContextStorage.run(request, () =>
      context.with(remote, () =>
        tracer().startActiveSpan('GET /customers', async (span) => {
          await fetch(`${downstreamUrl}/hook?token=tok-planted-1`)
          span.end()
        }),
      ),
    )

    // Outgoing: the downstream service got our trace, as a child of the request.
    const traceparent = String(downstream.headers.at(-1)?.traceparent)
    expect(traceparent).toMatch(new RegExp(`^00-${incomingTraceId}-[0-9a-f]{16}-01$`))

    await receiver.waitFor((spans) => spans.some((s) => s.traceId === incomingTraceId))
    const spans = receiver.spans.filter((s) => s.traceId === incomingTraceId)
    const entry = spans.find((s) => s.name === 'GET /customers')!
    expect(entry.parentSpanId).toBe(incomingSpanId)
    expect(entry.attributes.request_id).toBe('req-otel-1')
    expect(entry.resource['service.name']).toBe('signalbox')
    // The downstream's parent is the span that was active when fetch was called (in the app,
    // Next's own span around each fetch).
    expect(traceparent.split('-')[2]).toBe(entry.spanId)

    // The request remembers its entry span, for the access line.
    expect(request).toMatchObject({ traceId: incomingTraceId, spanId: entry.spanId })
    // A caller's own traceparent is left alone.
    await tracer().startActiveSpan('GET /own', async (span) => {
      await fetch(`${downstreamUrl}/own`, {
        headers: { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' },
      })
      span.end()
    })
    expect(downstream.headers.at(-1)?.traceparent).toBe('00-11111111111111111111111111111111-2222222222222222-01')
  })

  it("only a listed origin gets the trace: a third party, or a listed service's redirect to one, gets no trace header", async () => {
    const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage']
    const traced = (headers: http.IncomingHttpHeaders | undefined) =>
      TRACE_HEADERS.filter((name) => headers?.[name] !== undefined)
    // A sampled trace with state and baggage, as a caller's request would bring.
    const remote = propagation.setBaggage(
      propagation.extract(context.active(), {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=opaque',
      }),
      propagation.createBaggage({ tenant: { value: 'planted-baggage-value' } }),
    )
    await context.with(remote, () =>
      tracer().startActiveSpan('GET /mixed', async (span) => {
        await fetch(`${downstreamUrl}/listed`)
        await fetch(`${thirdParty.url}/unlisted`)
        await fetch(`${downstreamUrl}/redirect`)
        span.end()
      }),
    )
    const listed = downstream.headers.find((headers) =>
      headers.traceparent?.includes('0af7651916cd43dd8448eb211c80319c'),
    )
    expect(listed?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/)
    expect(listed).toMatchObject({ tracestate: 'vendor=opaque', baggage: 'tenant=planted-baggage-value' })
    // The unlisted server was called directly, and once more through the listed one's redirect.
    expect(thirdParty.headers).toHaveLength(2)
    for (const headers of thirdParty.headers) expect(traced(headers)).toEqual([])
  })

  it('a request without traceparent starts its own trace; the user, once known, lands on the entry span', async () => {
    const request: RequestContext = { requestId: 'req-otel-2', requestIdSource: 'server', startedAt: 0 }
    await requestContextStorage.run(request, () =>
      tracer().startActiveSpan('POST /customers', async (span) => {
        await tracer().startActiveSpan('child', async (child) => child.end())
        setRequestUser({ userId: 'user-7', orgId: 'org-3' })
        span.end()
      }),
    )
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'POST /customers'))
    const entry = receiver.spans.find((s) => s.name === 'POST /customers')!
    expect(entry.parentSpanId).toBeUndefined()
    expect(entry.traceId).toBe(request.traceId)
    expect(entry.attributes).toMatchObject({ request_id: 'req-otel-2', user_id: 'user-7', org_id: 'org-3' })
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'child'))
    expect(receiver.spans.find((s) => s.name === 'child')!.attributes.request_id).toBe('req-otel-2')
  })
})
