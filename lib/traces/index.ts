// Traces: spans for our own work (server actions, database queries) and the trace IDs on log
// lines, through OpenTelemetry's API (no SDK: cheap, and loadable in every runtime). The tracer
// provider that exports them over OTLP is its own entry, ./tracing, which start-up loads only
// when an endpoint is set (or in development, for the local inspector), so no other bundle carries the SDK. docs/observability.md.
import 'server-only'

export {
  hasActiveSpan,
  inSpan,
  openTelemetryOwnsTracing,
  openTelemetryWillTrace,
  traceIdsFor,
  type TraceIds,
} from './spans'
export type { OtlpTarget, SpanDestination, TracingOptions } from './tracing'
