// What every Sentry runtime (browser, Node server, edge) shares: how the DSN, environment,
// release and sample rate are resolved, and how events, transactions and breadcrumbs are
// scrubbed before they leave the process. Pure and isomorphic: no SDK at run time, so the
// browser can import it without loading Sentry, and tests can call it directly.
import type { Breadcrumb, Event } from '@sentry/nextjs'
import { LOGGED_HEADERS, REDACTED, redact, redactText, stripQueryValues } from './redact'
import { REQUEST_ID_HEADER, isValidRequestId } from './request-id'

/** Where the browser sends envelopes: same origin, forwarded by app/monitoring/route.ts. */
export const TUNNEL_PATH = '/monitoring'

/** The tunnel refuses bodies above this (413): an envelope is events, not uploads. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024

export const DEFAULT_TRACES_SAMPLE_RATE = 0.1

export type ParsedDsn = {
  protocol: 'http:' | 'https:'
  publicKey: string
  /** Hostname with the port when there is one. */
  host: string
  /** Self-hosted Sentry can live under a path: `https://key@example.com/sentry/42` → `/sentry`. */
  pathPrefix: string
  projectId: string
}

/** Parses `protocol://publicKey[:secret]@host[:port][/prefix]/projectId`; undefined when invalid. */
export function parseDsn(dsn: string | undefined): ParsedDsn | undefined {
  if (!dsn) return undefined
  let url: URL
  try {
    url = new URL(dsn.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (!url.username || url.search || url.hash) return undefined
  const segments = url.pathname.split('/').filter(Boolean)
  const projectId = segments.pop()
  if (!projectId || !/^\d+$/.test(projectId)) return undefined
  return {
    protocol: url.protocol,
    publicKey: decodeURIComponent(url.username),
    host: url.host,
    pathPrefix: segments.length > 0 ? `/${segments.join('/')}` : '',
    projectId,
  }
}

/** The ingest endpoint for a DSN — sentry.io, self-hosted Sentry and GlitchTip alike. */
export function envelopeUrlFor(dsn: ParsedDsn): string {
  return `${dsn.protocol}//${dsn.host}${dsn.pathPrefix}/api/${dsn.projectId}/envelope/`
}

/** Same project, same key, same ingest host: compared parsed, so formatting does not matter. */
export function isSameDsn(a: ParsedDsn, b: ParsedDsn): boolean {
  return (
    a.protocol === b.protocol &&
    a.publicKey === b.publicKey &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.pathPrefix === b.pathPrefix &&
    a.projectId === b.projectId
  )
}

type EnvSource = Record<string, string | undefined>

/** `SENTRY_ENVIRONMENT`, else Vercel's environment, else `NODE_ENV`. */
export function sentryEnvironment(source: EnvSource): string {
  return source.SENTRY_ENVIRONMENT?.trim() || source.VERCEL_ENV?.trim() || source.NODE_ENV?.trim() || 'development'
}

/** The commit SHA when the platform or the build tells us; undefined leaves it to the SDK. */
export function sentryRelease(source: EnvSource): string | undefined {
  return source.VERCEL_GIT_COMMIT_SHA?.trim() || source.GIT_COMMIT_SHA?.trim() || undefined
}

/** `SENTRY_TRACES_SAMPLE_RATE` when it is a number in [0, 1], else 0.1. */
export function tracesSampleRate(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TRACES_SAMPLE_RATE
  const rate = Number(value)
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : DEFAULT_TRACES_SAMPLE_RATE
}

/**
 * The SDK's tracing option for a sample rate. 0 means errors only, which `tracesSampleRate: 0`
 * is not: the SDK would still make a span for every request (CPU time, measured in
 * docs/performance.md), report each dropped one in a client_report envelope, and tell every
 * service downstream `sampled=false`. Tracing is off only when the option is nullish, and left
 * undefined the server SDK reads it from process.env.SENTRY_TRACES_SAMPLE_RATE (our variable
 * too: 0 again), so errors-only passes null, which the SDK keeps and treats as off.
 */
export function tracingOptions(rate: number): { tracesSampleRate?: number } {
  return { tracesSampleRate: rate > 0 ? rate : (null as unknown as undefined) }
}

/** Spotlight (a local event viewer) only in development, only when asked for. */
export function spotlightFrom(value: string | undefined, nodeEnv: string | undefined): boolean | string {
  if (nodeEnv !== 'development' || !value) return false
  if (value === '1' || value === 'true') return true
  return /^https?:\/\//.test(value) ? value : false
}

/**
 * What the SDK may collect in the first place (v11's replacement for `sendDefaultPii`):
 * no automatic user fields, cookies, bodies, local variables or AI/DB payloads; only the
 * request headers the logger also keeps. beforeSend scrubs again in case anything slips in.
 */
export function dataCollection() {
  return {
    userInfo: false,
    cookies: false,
    httpHeaders: { request: { allow: [...LOGGED_HEADERS] as string[] }, response: false },
    httpBodies: [] as never[],
    urlQueryParams: { allow: [] as string[] },
    graphQL: { document: false, variables: false },
    genAI: { inputs: false, outputs: false },
    databaseQueryData: false,
    queues: false,
    stackFrameVariables: false,
  }
}

// ---------------------------------------------------------------------------------------
// Scrubbing. Reuses the logger's redaction (redact.ts: REDACTED_KEYS, header allow-list,
// credentials in text) and adds what only error events carry: URLs with query strings,
// request bodies and cookies, the user object, and e-mail addresses in free text.

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g

/** Free text (messages, span names, breadcrumbs): credentials, query values (redact.ts) and e-mails go. */
export function scrubText(text: string): string {
  const redacted = redactText(text)
  return redacted.includes('@') ? redacted.replace(EMAIL_IN_TEXT, '[email]') : redacted
}

/** `a=1&b=2` (with or without a leading `?`) → `a=&b=`. */
function stripQueryString(query: string): string {
  const bare = query.startsWith('?') ? query.slice(1) : query
  return stripQueryValues(`?${bare}`).slice(1)
}

const QUERY_KEY = /(^|[._-])(query|query_?string|search|params)$/i

/** A copy of `value` with secret keys redacted (redact.ts) and every string scrubbed. */
export function scrubData(value: unknown): unknown {
  return scrubStrings(redact(value), undefined)
}

function scrubStrings(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (value === REDACTED) return value
    return key && QUERY_KEY.test(key) ? stripQueryString(scrubText(value)) : scrubText(value)
  }
  if (Array.isArray(value)) return value.map((item) => scrubStrings(item, undefined))
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [innerKey, inner] of Object.entries(value)) out[innerKey] = scrubStrings(inner, innerKey)
    return out
  }
  return value
}

type RequestData = NonNullable<Event['request']>

function scrubQueryString(query: RequestData['query_string']): RequestData['query_string'] {
  if (query === undefined) return undefined
  if (typeof query === 'string') return stripQueryString(query)
  if (Array.isArray(query)) return query.map(([name]) => [name, ''] as [string, string])
  return Object.fromEntries(Object.keys(query).map((name) => [name, '']))
}

/** The request as an event may carry it: URL and query without values, allow-listed headers, no body, no cookies. */
export function scrubRequest(request: RequestData): RequestData {
  const out: RequestData = {}
  if (request.method) out.method = request.method
  if (request.url) out.url = scrubText(stripQueryValues(request.url))
  const queryString = scrubQueryString(request.query_string)
  if (queryString !== undefined) out.query_string = queryString
  if (request.headers) {
    const headers = (redact({ headers: request.headers }) as { headers: Record<string, string> }).headers
    for (const [name, value] of Object.entries(headers)) {
      headers[name] = name === 'referer' ? scrubText(stripQueryValues(String(value))) : scrubText(String(value))
    }
    out.headers = headers
  }
  return out
}

/** A breadcrumb without secrets: message and data scrubbed like everything else. */
export function scrubBreadcrumb<T extends Breadcrumb>(breadcrumb: T): T {
  const out: T = { ...breadcrumb }
  if (typeof breadcrumb.message === 'string') out.message = scrubText(breadcrumb.message)
  if (breadcrumb.data) out.data = scrubData(breadcrumb.data) as Record<string, unknown>
  return out
}

function requestIdFromHeaders(headers: Record<string, unknown> | undefined): string | undefined {
  if (!headers) return undefined
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === REQUEST_ID_HEADER && isValidRequestId(value)) return value
  }
  return undefined
}

/**
 * Everything an error or transaction event carries, scrubbed: the request, the user (ID only),
 * tags, extra, contexts, breadcrumbs, exception messages, spans. The `request_id` tag is set
 * from `requestId`, else kept, else taken from the request's own `x-request-id` header.
 */
export function scrubEvent<T extends Event>(event: T, requestId?: string): T {
  const out: T = { ...event }
  const existingTag = event.tags?.request_id
  const requestIdTag =
    (isValidRequestId(requestId) ? requestId : undefined) ??
    (isValidRequestId(existingTag) ? existingTag : undefined) ??
    requestIdFromHeaders(event.request?.headers)

  if (event.request) out.request = scrubRequest(event.request)
  const userId = event.user?.id
  if (userId !== undefined && userId !== null && userId !== '') out.user = { id: String(userId) }
  else delete out.user

  const tags = event.tags ? (scrubData(event.tags) as NonNullable<Event['tags']>) : {}
  if (requestIdTag) tags.request_id = requestIdTag
  if (Object.keys(tags).length > 0) out.tags = tags
  if (event.extra) out.extra = scrubData(event.extra) as Event['extra']
  if (event.contexts) out.contexts = scrubData(event.contexts) as Event['contexts']
  if (event.breadcrumbs) out.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb)
  if (typeof event.message === 'string') out.message = scrubText(event.message)
  if (event.logentry) out.logentry = scrubData(event.logentry) as Event['logentry']
  if (event.transaction) out.transaction = scrubText(stripQueryValues(event.transaction))
  if (event.exception?.values) {
    out.exception = {
      ...event.exception,
      values: event.exception.values.map((exception) => ({
        ...exception,
        ...(exception.value !== undefined ? { value: scrubText(exception.value) } : {}),
        ...(exception.stacktrace?.frames
          ? {
              stacktrace: {
                ...exception.stacktrace,
                frames: exception.stacktrace.frames.map(({ vars, ...frame }) =>
                  vars ? { ...frame, vars: scrubData(vars) as Record<string, unknown> } : frame,
                ),
              },
            }
          : {}),
      })),
    }
  }
  if (event.spans) out.spans = event.spans.map(scrubSpan)
  return out
}

/** A span (in a transaction, or sent on its own like web vitals): name and attributes scrubbed. */
export function scrubSpan<T extends { description?: string; data?: Record<string, unknown> }>(span: T): T {
  const out: T = { ...span }
  if (span.description) out.description = scrubText(span.description)
  if (span.data) out.data = scrubData(span.data) as T['data']
  return out
}

/**
 * Session Replay's custom records (rrweb type 5: breadcrumbs, network and navigation spans,
 * which carry URLs), as Replay's `beforeAddRecordingEvent` hands them over. The page itself
 * is recorded with all text and inputs masked and media blocked.
 */
export function scrubReplayRecord<T extends { type: number; data?: unknown }>(record: T): T {
  if (record.type !== 5 || record.data === undefined) return record
  return { ...record, data: scrubData(record.data) }
}
