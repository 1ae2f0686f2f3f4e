// Traces: spans for our own work (server actions, database queries), the trace IDs on log lines,
// and the OpenTelemetry tracer provider that exports them over OTLP (tracing.ts, loaded only when
// start-up finds an endpoint, so a server without one never loads the SDK). docs/observability.md.
import 'server-only'
import type { OtlpTarget } from './tracing'

export { hasActiveSpan, inSpan, openTelemetryOwnsTracing, traceIdsFor, type TraceIds } from './spans'
export type { OtlpTarget } from './tracing'

// Set once tracing has started: stopping without it must not load the SDK just to find nothing.
let tracing: typeof import('./tracing') | undefined

/** Registers the tracer provider and the OTLP exporters (tracing.ts), loading the SDK now. */
export async function startTracing(options: { sentry?: OtlpTarget } = {}): Promise<void> {
  tracing = await import('./tracing')
  tracing.startTracing(options)
}

/** Exports the spans still batched and stops the provider, within `timeoutMs`; true when done (or never started). */
export async function stopTracing(timeoutMs: number): Promise<boolean> {
  return tracing ? tracing.stopTracing(timeoutMs) : true
}
