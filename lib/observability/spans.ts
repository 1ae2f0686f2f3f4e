// Spans from our own code (server actions, database queries) through OpenTelemetry's API, so
// they land in whichever tracer provider is registered: ours (tracing.ts, when an OTLP endpoint
// is set) or Sentry's. Without either, the API is a no-op and these cost next to nothing.
import { SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api'

const tracer = () => trace.getTracer('signalbox')

const OTEL_OWNS_TRACING = Symbol.for('signalbox.otelOwnsTracing')
const flags = globalThis as unknown as { [OTEL_OWNS_TRACING]?: boolean }

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
