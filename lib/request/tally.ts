// What a request did, noted as it happens by the rooms that know (db, audit, analytics, flags,
// logs, errors) so the access line can say it once at the end: counts, durations, flag names and
// a digest, never payloads. Outside the Node server's request context (Vercel, scripts, start-up)
// each call does nothing. Each is a lookup and a small update; the counters allocate nothing.
import { requestContextStorage } from './context'

/** A database query of this request finished, after `ms`. */
export function noteDatabaseQuery(ms: number): void {
  const context = requestContextStorage.getStore()
  if (!context) return
  context.dbQueries = (context.dbQueries ?? 0) + 1
  context.dbMs = (context.dbMs ?? 0) + ms
}

/** An audit row was queued to be written after the response. */
export function noteAuditRowQueued(): void {
  const context = requestContextStorage.getStore()
  if (context) context.auditRowsQueued = (context.auditRowsQueued ?? 0) + 1
}

/** A server-side analytics event was taken to be sent after the response. */
export function noteAnalyticsEventTracked(): void {
  const context = requestContextStorage.getStore()
  if (context) context.analyticsEventsTracked = (context.analyticsEventsTracked ?? 0) + 1
}

/** A registered feature flag was evaluated: its value and how it was decided (the last one wins). */
export function noteFlagEvaluated(flag: string, value: boolean, result: string): void {
  const context = requestContextStorage.getStore()
  if (context) (context.flags ??= {})[flag] = { value, result }
}

/** Next reported this request's error with `digest`, the reference its error page shows. */
export function noteErrorDigest(digest: string): void {
  const context = requestContextStorage.getStore()
  // Next's digests are short decimal or hex strings; anything else is not a reference.
  if (context && /^[\w-]{1,64}$/.test(digest)) context.errorDigest ??= digest
}

/** A server action or API handler of `feature` ran for `ms` (lib/metrics counts it per feature). */
export function noteFeatureWork(feature: string, kind: 'action' | 'api', ms: number): void {
  const context = requestContextStorage.getStore()
  if (context) (context.featureWork ??= []).push({ feature, kind, ms })
}
