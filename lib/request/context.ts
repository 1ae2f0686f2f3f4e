// Per-request context for the Node server: created by the HTTP hook (http-hook.ts) before
// Next sees the request, so it reaches every log call of that request, including `after()`.
// On platforms without that hook (Vercel functions) it is absent and callers fall back to
// the request headers.
import { AsyncLocalStorage } from 'node:async_hooks'
import { perProcess } from '../singleton'
import type { RequestIdSource } from './id'

export type RequestContext = {
  requestId: string
  startedAt: number
  /** The socket's peer address, for the client-address rule (lib/auth/client-ip.ts). Never logged. */
  peerAddress?: string
  /** Whether `requestId` arrived with the request (and was kept) or was generated here. */
  requestIdSource: RequestIdSource
  /** The analytics identity of this request's anonymous events (lib/analytics/server.ts), made on first use. */
  anonymousId?: string
  /** Set once the session is known (setRequestUser). */
  userId?: string
  orgId?: string
  /** The trace this request belongs to, once its first span has started (for the access line). */
  traceId?: string
  spanId?: string
  /**
   * The request's server spans, so facts learnt later (the user) can be put on them. Next makes
   * two when the proxy runs: the proxy pass (the entry, which ends early) and the render pass.
   */
  serverSpans?: Array<{ setAttribute(key: string, value: string): unknown }>
  /**
   * A dependency this request needed could not be reached (e.g. `database`): the hook then sends
   * the request's 500 as 503 with Retry-After, since the request was fine and a retry may work.
   */
  dependencyUnavailable?: string
  /**
   * What the request did, for the access line (its wide event), counted by the rooms that know
   * through ./tally.ts. Absent until the first occurrence: a request that did none of it carries
   * no field and costs nothing.
   */
  dbQueries?: number
  dbMs?: number
  auditRowsQueued?: number
  analyticsEventsTracked?: number
  /** flag name → its value and how it was decided (backend, default, timeout, error, paused). */
  flags?: Record<string, { value: boolean; result: string }>
  /** The digest Next showed for this request's error (the reference on its error page). */
  errorDigest?: string
  /** Server actions and API handlers run for a product feature, with their own duration (ms). */
  featureWork?: Array<{ feature: string; kind: 'action' | 'api'; ms: number }>
}

// One instance per process: Next bundles this module into several chunks (instrumentation,
// each route), and they must all see the same storage.
export const requestContextStorage = perProcess('requestContext', () => new AsyncLocalStorage<RequestContext>())

export function currentRequestContext(): RequestContext | undefined {
  return requestContextStorage.getStore()
}

type StartedSpan = {
  traceId: string
  spanId: string
  /** No parent in this process: the request's own root (its parent, if any, is remote). */
  isEntry: boolean
  /** A span for the request as a whole (kind SERVER), not for a part of its work. */
  isServer: boolean
  setAttribute(key: string, value: string): unknown
}

/**
 * Called by the tracing adapters (OpenTelemetry's, or Sentry's when it owns tracing) for every
 * span that starts: spans of a request carry its ID, the request remembers its entry span so
 * the access line names the same trace, and its server spans get the user once known.
 */
export function noteSpanStarted(span: StartedSpan): void {
  const context = requestContextStorage.getStore()
  if (!context) return
  span.setAttribute('request_id', context.requestId)
  if (span.isEntry && context.traceId === undefined) {
    context.traceId = span.traceId
    context.spanId = span.spanId
  }
  if (!span.isEntry && !span.isServer) return
  ;(context.serverSpans ??= []).push(span)
  if (context.userId) span.setAttribute('user_id', context.userId)
  if (context.orgId) span.setAttribute('org_id', context.orgId)
}

/** Puts a fact learnt mid-request (the user) on the request's server spans. */
export function annotateServerSpans(key: string, value: string): void {
  for (const span of requestContextStorage.getStore()?.serverSpans ?? []) span.setAttribute(key, value)
}

/** How long a client is told to wait before retrying a request refused for want of a dependency. */
export const RETRY_AFTER_SECONDS = 5

/** Records that this request failed for want of `dependency`, not for a bug (see dependencyUnavailable). */
export function noteDependencyUnavailable(dependency: string): void {
  const context = requestContextStorage.getStore()
  if (context) context.dependencyUnavailable ??= dependency
}
