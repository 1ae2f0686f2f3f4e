// The access line: one `info` line (`trace` for /_next/ assets) per finished request on the Node
// server, written when the request hook (lib/request) reports it. The production record of what
// was asked and answered, and of what the request did on the way (queries, audit rows, events,
// flags, its error's digest): the request's one wide event, which the rooms that know tallied in
// its context.
import type { AccessRecord } from '../request'
import { logger } from './logger'

export function writeAccessLine(record: AccessRecord): void {
  const { context } = record
  // The access line is the production record (info); a failing request's error is logged at
  // error by onRequestError. Next's own asset requests are below debug, which development writes
  // by default: a page load in `next dev` fetches dozens of chunks, and their lines buried ours.
  const level = record.path.startsWith('/_next/') ? 'trace' : 'info'
  const line: Record<string, unknown> = {
    kind: 'access',
    request_id: context.requestId,
    ...(context.userId ? { user_id: context.userId } : {}),
    // The request's own trace (its entry span), not whatever span happens to be active here.
    ...(context.traceId ? { trace_id: context.traceId, span_id: context.spanId } : {}),
    method: record.method,
    path: record.path,
    route: record.route ?? null,
    status: record.status,
    duration_ms: record.durationMs,
  }
  // What the request did (its wide event), each field only when it happened (docs/logging.md):
  // a request that did none of it pays seven property checks.
  if (context.dbQueries) {
    line.db_queries = context.dbQueries
    line.db_ms = Math.round((context.dbMs ?? 0) * 10) / 10
  }
  if (context.auditRowsQueued) line.audit_rows_queued = context.auditRowsQueued
  if (context.analyticsEventsTracked) line.analytics_events_tracked = context.analyticsEventsTracked
  if (context.flags) line.flags = context.flags
  if (context.errorDigest) line.error_digest = context.errorDigest
  if (context.featureWork) line.feature = context.featureWork[0]?.feature
  // A dependency this request could not reach (the database): also on a form that answered 200
  // with "nothing was saved", which writes no error line of its own.
  if (context.dependencyUnavailable) line.dependency_unavailable = context.dependencyUnavailable
  logger[level](line, 'request')
}
