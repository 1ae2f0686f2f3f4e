// inSpan (lib/traces/spans.ts), with real SDK spans: a failure is an error span, but Next's
// control-flow throws — redirect() (every successful sign-in, sign-up and sign-out ends in one),
// notFound(), forbidden(), unauthorized() — are answers: rethrown, and the span ends without an
// error status or an exception event, naming what happened and never the redirect's URL.
import { SpanStatusCode, trace } from '@opentelemetry/api'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { notFound, redirect } from 'next/navigation'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { withActionInstrumentation } from '@/lib/errors/actions'
import { inSpan, markOpenTelemetryAsTracer, nextControlFlow } from '@/lib/traces/spans'

const exporter = new InMemorySpanExporter()

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
})
afterAll(() => {
  trace.disable()
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.otelOwnsTracing')]
})
beforeEach(() => exporter.reset())

/** What `throws` throws, once inSpan has rethrown it, and the span it ended. */
async function spanOf(throws: () => never) {
  const thrown = await inSpan('work', {}, async () => throws()).catch((error: unknown) => error)
  const [span] = exporter.getFinishedSpans()
  return { thrown, span: span! }
}

/** Next's own throw, as a page or an action would make it. */
const caught = (fn: () => never) => {
  try {
    fn()
  } catch (error) {
    return error as Error & { digest: string }
  }
  throw new Error('did not throw')
}

describe('inSpan', () => {
  it('a redirect is rethrown and ends the span as a success, without its URL', async () => {
    const redirectError = caught(() => redirect('/customers?token=tok-planted-1'))
    const { thrown, span } = await spanOf(() => {
      throw redirectError
    })
    expect(thrown).toBe(redirectError)
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
    expect(span.events).toEqual([])
    expect(span.attributes).toEqual({ 'next.control_flow.kind': 'redirect', 'next.control_flow.status_code': 307 })
    expect(JSON.stringify({ name: span.name, attributes: span.attributes, status: span.status })).not.toContain(
      'tok-planted-1',
    )
  })

  it('notFound(), forbidden() and unauthorized() end the span as a success too', async () => {
    const notFoundError = caught(() => notFound())
    // forbidden() and unauthorized() refuse to run without experimental.authInterrupts: their digests.
    const forbidden = Object.assign(new Error('NEXT_HTTP_ERROR_FALLBACK;403'), {
      digest: 'NEXT_HTTP_ERROR_FALLBACK;403',
    })
    const unauthorized = Object.assign(new Error('x'), { digest: 'NEXT_HTTP_ERROR_FALLBACK;401' })
    for (const [error, kind, status] of [
      [notFoundError, 'not_found', 404],
      [forbidden, 'forbidden', 403],
      [unauthorized, 'unauthorized', 401],
    ] as const) {
      exporter.reset()
      const { thrown, span } = await spanOf(() => {
        throw error
      })
      expect(thrown).toBe(error)
      expect(span.status.code).toBe(SpanStatusCode.UNSET)
      expect(span.events).toEqual([])
      expect(span.attributes).toEqual({ 'next.control_flow.kind': kind, 'next.control_flow.status_code': status })
    }
  })

  it('a real error is still an error span with its exception', async () => {
    const failure = new TypeError('boom')
    const { thrown, span } = await spanOf(() => {
      throw failure
    })
    expect(thrown).toBe(failure)
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TypeError' })
    expect(span.events.map((event) => event.name)).toEqual(['exception'])
    expect(span.attributes).toEqual({})
  })

  it('a digest that only looks like one is a real error', async () => {
    for (const digest of [
      'NEXT_REDIRECT',
      'NEXT_REDIRECTED;replace;/x;307;',
      'NEXT_HTTP_ERROR_FALLBACK;500',
      '123456',
    ]) {
      expect(nextControlFlow(Object.assign(new Error('x'), { digest }))).toBeUndefined()
    }
    expect(nextControlFlow('NEXT_REDIRECT;replace;/x;307;')).toBeUndefined()
    expect(nextControlFlow(null)).toBeUndefined()
  })
})

describe('withActionInstrumentation', () => {
  it("a server action that redirects (a successful sign-in's answer) is not an error span", async () => {
    markOpenTelemetryAsTracer()
    const signIn = withActionInstrumentation({ name: 'signIn', feature: null }, async () => redirect('/customers'))
    await expect(signIn()).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_REDIRECT;/) })
    const [span] = exporter.getFinishedSpans()
    expect(span!.name).toBe('server_action signIn')
    expect(span!.status.code).toBe(SpanStatusCode.UNSET)
    expect(span!.events).toEqual([])
    expect(span!.attributes).toMatchObject({ 'server_action.name': 'signIn', 'next.control_flow.kind': 'redirect' })
  })
})
