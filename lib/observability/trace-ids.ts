// The trace a log line belongs to: the active span's IDs (OpenTelemetry's API, so it works with
// whichever tracer provider is registered — ours or Sentry's), else the request's entry span.
// Pure API calls: without a tracer provider this costs a lookup and returns nothing.
import { isSpanContextValid, trace } from '@opentelemetry/api'
import type { RequestContext } from './context'

export type TraceIds = { trace_id: string; span_id: string }

export function traceIdsFor(context: RequestContext | undefined): TraceIds | undefined {
  const active = trace.getActiveSpan()?.spanContext()
  if (active && isSpanContextValid(active)) return { trace_id: active.traceId, span_id: active.spanId }
  if (context?.traceId && context.spanId) return { trace_id: context.traceId, span_id: context.spanId }
  return undefined
}
