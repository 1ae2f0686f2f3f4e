// How Sentry's events, transactions, breadcrumbs, spans and replay records are scrubbed before
// they leave the process (browser, Node server and edge alike): the privacy room's rules
// applied to the shapes only error events carry — the request, the user, exceptions.
import type { Breadcrumb, Event } from '@sentry/nextjs'
import { redact, scrubData, scrubText, stripQueryString, stripQueryValues } from '../privacy'
import { REQUEST_ID_HEADER, isValidRequestId } from '../request/id'

type RequestData = NonNullable<Event['request']>

function scrubQueryString(query: RequestData['query_string']): RequestData['query_string'] {
  if (query === undefined) return undefined
  if (typeof query === 'string') return stripQueryString(query)
  if (Array.isArray(query)) return query.map(([name]) => [name, ''] as [string, string])
  return Object.fromEntries(Object.keys(query).map((name) => [name, '']))
}

/**
 * A URL as Sentry may keep it (request URLs, the referer, the pages a replay saw and the address
 * in its recording): query values removed, a parameter name that is not plain redacted
 * (`?eyJhbGciOi…` → `?[REDACTED]=`), the fragment's values too (`#access_token=…` →
 * `#access_token=`, stripFragmentValues), credentials and e-mail addresses masked.
 */
export function scrubUrl(url: string): string {
  return scrubText(stripQueryValues(url))
}

/** The request as an event may carry it: URL and query without values, allow-listed headers, no body, no cookies. */
export function scrubRequest(request: RequestData): RequestData {
  const out: RequestData = {}
  if (request.method) out.method = request.method
  if (request.url) out.url = scrubUrl(request.url)
  const queryString = scrubQueryString(request.query_string)
  if (queryString !== undefined) out.query_string = queryString
  if (request.headers) {
    const headers = (redact({ headers: request.headers }) as { headers: Record<string, string> }).headers
    for (const [name, value] of Object.entries(headers)) {
      headers[name] = name === 'referer' ? scrubUrl(String(value)) : scrubText(String(value))
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
 * is recorded with all text and inputs masked and media blocked; the address in each full
 * snapshot (its Meta record, which no hook sees) is scrubbed by the tunnel (replay-recording.ts).
 */
export function scrubReplayRecord<T extends { type: number; data?: unknown }>(record: T): T {
  if (record.type !== 5 || record.data === undefined) return record
  return { ...record, data: scrubData(record.data) }
}
