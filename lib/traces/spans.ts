// Spans from our own code (server actions, database queries), and the trace IDs on log lines,
// through OpenTelemetry's API, so they work with whichever tracer provider is registered: ours
// (tracing.ts, when an OTLP endpoint is set, and under `next dev`) or Sentry's. Without either, the API is a no-op
// and these cost next to nothing.
import { SpanKind, SpanStatusCode, isSpanContextValid, trace, type Attributes } from '@opentelemetry/api'
import { INSPECTOR_ENABLED } from '../inspect'
import type { RequestContext } from '../request'

const tracer = () => trace.getTracer('signalbox')

const OTEL_OWNS_TRACING = Symbol.for('signalbox.otelOwnsTracing')
const flags = globalThis as unknown as { [OTEL_OWNS_TRACING]?: boolean }

/**
 * Whether this process registers our tracer provider (tracing.ts): with an OTLP endpoint, and
 * always in development, where the local inspector shows every request's spans. Sentry then
 * links its events to those spans instead of tracing on its own (lib/errors/sentry-server.ts).
 */
export function openTelemetryWillTrace(otlpEndpoint: string | undefined): boolean {
  return Boolean(otlpEndpoint) || INSPECTOR_ENABLED
}

/** Set by tracing.ts: OpenTelemetry exports the traces and Sentry only links its events to them. */
export function markOpenTelemetryAsTracer(): void {
  flags[OTEL_OWNS_TRACING] = true
}

export function openTelemetryOwnsTracing(): boolean {
  return flags[OTEL_OWNS_TRACING] === true
}

/**
 * Next's control-flow throws, which are answers, not failures: `redirect()` (digest
 * `NEXT_REDIRECT;<type>;<url>;<status>;`) and `notFound()`, `forbidden()`, `unauthorized()`
 * (digest `NEXT_HTTP_ERROR_FALLBACK;<status>`). Every successful sign-in, sign-up and sign-out
 * ends in a redirect. Undefined for anything else (a real error). Never the redirect's URL: its
 * query may carry values.
 */
export function nextControlFlow(
  error: unknown,
): { kind: 'redirect' | 'not_found' | 'forbidden' | 'unauthorized'; status: number } | undefined {
  const digest = (error as { digest?: unknown } | null)?.digest
  if (typeof digest !== 'string') return undefined
  const parts = digest.split(';')
  if (parts[0] === 'NEXT_REDIRECT' && parts.length >= 5) {
    const status = Number(parts.at(-2))
    return Number.isInteger(status) ? { kind: 'redirect', status } : undefined
  }
  if (parts[0] === 'NEXT_HTTP_ERROR_FALLBACK') {
    const kind = ({ 404: 'not_found', 403: 'forbidden', 401: 'unauthorized' } as const)[Number(parts[1])]
    return kind && { kind, status: Number(parts[1]) }
  }
  return undefined
}

/**
 * Runs `work` inside a child span of whatever is active. A failure is recorded (an exception
 * event, ERROR status) and rethrown; Next's control-flow throws (nextControlFlow: a redirect,
 * notFound()…) are rethrown too but end the span as a success, naming what happened
 * (`next.control_flow.kind`, `next.control_flow.status_code`).
 */
export function inSpan<T>(
  name: string,
  options: { kind?: 'internal' | 'client'; attributes?: Attributes },
  work: () => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL, attributes: options.attributes },
    async (span) => {
      try {
        return await work()
      } catch (error) {
        const controlFlow = nextControlFlow(error)
        if (controlFlow) {
          span.setAttributes({
            'next.control_flow.kind': controlFlow.kind,
            'next.control_flow.status_code': controlFlow.status,
          })
        } else {
          span.recordException(error instanceof Error ? error : String(error))
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' })
        }
        throw error
      } finally {
        span.end()
      }
    },
  )
}

/** Whether anything would record a span here: skip building attributes when nothing listens. */
export function hasActiveSpan(): boolean {
  return trace.getActiveSpan() !== undefined
}

export type TraceIds = { trace_id: string; span_id: string }

/**
 * The trace a log line belongs to: the active span's IDs (whichever provider is registered,
 * ours or Sentry's), else the request's entry span. Without a provider: a lookup, and nothing.
 */
export function traceIdsFor(context: RequestContext | undefined): TraceIds | undefined {
  const active = trace.getActiveSpan()?.spanContext()
  if (active && isSpanContextValid(active)) return { trace_id: active.traceId, span_id: active.spanId }
  if (context?.traceId && context.spanId) return { trace_id: context.traceId, span_id: context.spanId }
  return undefined
}
