// Traces: spans for our own work (server actions, database queries), the trace IDs on log lines,
// and the OpenTelemetry tracer provider that exports them over OTLP (tracing.ts, loaded only when
// start-up finds an endpoint, so a server without one never loads the SDK). docs/observability.md.
import 'server-only'
import type { TracingOptions } from './tracing'

export { hasActiveSpan, inSpan, openTelemetryOwnsTracing, traceIdsFor, type TraceIds } from './spans'
export type { OtlpTarget, SpanDestination, TracingOptions } from './tracing'

/** Registers the tracer provider and the OTLP exporters (tracing.ts), loading the SDK now. */
export async function startTracing(options: TracingOptions = {}): Promise<void> {
  const tracing = await import('./tracing')
  tracing.startTracing(options)
}
