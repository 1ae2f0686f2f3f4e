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

/** Runs `work` inside a child span of whatever is active; the error, if any, is recorded and rethrown. */
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
        span.recordException(error instanceof Error ? error : String(error))
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' })
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
