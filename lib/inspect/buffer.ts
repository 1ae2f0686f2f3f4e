// The local inspector's memory: in development, every pillar (logs, spans, error events,
// analytics events, flag evaluations, audit rows, and what the page's browser reported through
// lib/browser-telemetry) also records what it did here, keyed by request ID, whether or not a vendor key is set. Bounded: the most recent
// MAX_REQUESTS requests, MAX_ENTRIES_PER_REQUEST entries each, long strings cut. Nothing goes to
// disk or the network; a restart forgets it. In production recording returns at its first line (and nothing reads it: mayInspect refuses).
import { perProcess } from '../singleton'
import { INSPECTOR_ENABLED } from './client'

export const MAX_REQUESTS = 300
export const MAX_ENTRIES_PER_REQUEST = 300
/** Longer strings (stack traces, SQL) are cut to this many characters. */
export const MAX_STRING_LENGTH = 4000

export type InspectorKind = 'log' | 'span' | 'error' | 'analytics' | 'flag' | 'audit' | 'browser'

export type InspectorEntry = {
  kind: InspectorKind
  /** Epoch milliseconds when it was recorded (a span's own start is in its data). */
  at: number
  data: Record<string, unknown>
}

/** What the access line said of a finished request: the inspector's list row. */
export type InspectedRequest = {
  requestId: string
  /** Epoch ms of the first entry recorded for it. */
  firstSeen: number
  method?: string
  path?: string
  route?: string | null
  status?: number
  durationMs?: number
  userId?: string
  /** Whether it recorded an error event or answered 5xx. */
  failed: boolean
  counts: Partial<Record<InspectorKind, number>>
  /** Entries past MAX_ENTRIES_PER_REQUEST, not kept. */
  dropped: number
}

type Bucket = { summary: InspectedRequest; entries: InspectorEntry[] }

// A Map keeps insertion order: the first key is the oldest request.
const store = () => perProcess('inspector', () => new Map<string, Bucket>())
// Tooling requests already forgotten: what they record after their access line (a span that ends
// later) is not kept either. Bounded the same way.
const forgotten = () => perProcess('inspectorForgotten', () => new Set<string>())

function forget(requestId: string): void {
  store().delete(requestId)
  const ids = forgotten()
  ids.add(requestId)
  if (ids.size > MAX_REQUESTS) ids.delete(ids.values().next().value as string)
}

/**
 * Paths whose requests are the tooling's own, not the app's: Next's assets, HMR and overlay, the
 * tab icon, and the inspector itself (its page and its polling). Their access line forgets whatever they recorded.
 */
export function isToolingPath(path: string): boolean {
  return (
    /^\/(favicon\.ico|icon|apple-icon)/.test(path) || // the browser's own asks for the tab icon
    path.startsWith('/_next/') ||
    path.startsWith('/__nextjs') ||
    path.startsWith('/api/dev/inspect') ||
    path.startsWith('/dev/inspect')
  )
}

function bounded(value: unknown, depth = 0): unknown {
  if (typeof value === 'string')
    return value.length > MAX_STRING_LENGTH ? `${value.slice(0, MAX_STRING_LENGTH)}… (cut)` : value
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return value.toISOString()
  if (depth > 6) return '[deeper]'
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => bounded(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value).slice(0, 100)) out[key] = bounded(item, depth + 1)
  return out
}

function bucketFor(requestId: string): Bucket {
  const requests = store()
  let bucket = requests.get(requestId)
  if (!bucket) {
    bucket = { summary: { requestId, firstSeen: Date.now(), failed: false, counts: {}, dropped: 0 }, entries: [] }
    requests.set(requestId, bucket)
    if (requests.size > MAX_REQUESTS) requests.delete(requests.keys().next().value as string)
  }
  return bucket
}

/**
 * Records what `requestId` did, for the inspector. `data` is kept as given (bounded), so callers
 * pass what would leave the process: scrubbed, redacted. No request ID: nothing to file it under.
 */
export function recordForInspector(
  requestId: string | undefined,
  kind: InspectorKind,
  data: Record<string, unknown>,
): void {
  if (!INSPECTOR_ENABLED || !requestId || forgotten().has(requestId)) return
  const bucket = bucketFor(requestId)
  const { summary } = bucket
  if (kind === 'log' && data.kind === 'access') {
    const path = typeof data.path === 'string' ? data.path : ''
    if (isToolingPath(path)) return forget(requestId)
    summary.method = data.method as string
    summary.path = path
    summary.route = (data.route as string | null) ?? null
    summary.status = data.status as number
    summary.durationMs = data.duration_ms as number
    if (summary.status >= 500) summary.failed = true
  }
  if (typeof data.user_id === 'string') summary.userId ??= data.user_id
  if (kind === 'error') summary.failed = true
  summary.counts[kind] = (summary.counts[kind] ?? 0) + 1
  if (bucket.entries.length >= MAX_ENTRIES_PER_REQUEST) {
    summary.dropped += 1
    return
  }
  bucket.entries.push({ kind, at: Date.now(), data: bounded(data) as Record<string, unknown> })
}

export type RequestFilter = {
  requestId?: string
  userId?: string
  /** A route pattern or path, matched as a substring. */
  route?: string
  /** An exact status, or a class such as `5xx`. */
  status?: string
  errorsOnly?: boolean
}

function matches(summary: InspectedRequest, filter: RequestFilter): boolean {
  if (filter.requestId && !summary.requestId.includes(filter.requestId)) return false
  if (filter.userId && !summary.userId?.includes(filter.userId)) return false
  if (filter.route && !`${summary.route ?? ''} ${summary.path ?? ''}`.includes(filter.route)) return false
  if (filter.status) {
    const status = String(summary.status ?? '')
    const wanted = filter.status.toLowerCase()
    if (/^[1-5]xx$/.test(wanted) ? status[0] !== wanted[0] : status !== wanted) return false
  }
  if (filter.errorsOnly && !summary.failed) return false
  return true
}

/** The finished requests (their access line written) that match, newest first. */
export function inspectedRequests(filter: RequestFilter = {}, limit = 100): InspectedRequest[] {
  const out: InspectedRequest[] = []
  const buckets = [...store().values()]
  for (let index = buckets.length - 1; index >= 0 && out.length < limit; index -= 1) {
    const { summary } = buckets[index]!
    if (summary.status !== undefined && matches(summary, filter)) out.push(summary)
  }
  return out
}

/** Everything one request recorded, in the order it happened; undefined if it is not (or no longer) here. */
export function inspectedRequest(
  requestId: string,
): { summary: InspectedRequest; entries: InspectorEntry[] } | undefined {
  const bucket = store().get(requestId)
  return bucket ? { summary: bucket.summary, entries: bucket.entries } : undefined
}

/** Tests only: start from nothing. */
export function forgetInspectedRequests(): void {
  store().clear()
  forgotten().clear()
}
