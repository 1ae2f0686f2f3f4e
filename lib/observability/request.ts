// What server components, server actions and route handlers call to correlate their work.
import 'server-only'
import { headers } from 'next/headers'
import { annotateServerSpans, currentRequestContext } from './context'
import { logger, type Logger } from './logger'
import { REQUEST_ID_HEADER, REQUEST_ID_SOURCE_HEADER, isValidRequestId, type RequestIdSource } from './request-id'
import { setErrorTrackingUser } from './sentry-server'

/**
 * The current request's ID, as set by the proxy on the request headers. AsyncLocalStorage
 * from the proxy does not reach server components, so this reads `headers()`.
 */
export async function getRequestId(): Promise<string | undefined> {
  const fromContext = currentRequestContext()?.requestId
  if (fromContext) return fromContext
  try {
    const value = (await headers()).get(REQUEST_ID_HEADER)
    return isValidRequestId(value) ? value : undefined
  } catch {
    return undefined // outside a request (start-up, scripts)
  }
}

/**
 * Whether this request's ID was the client's or ours. The Node server's hook knows; elsewhere
 * the proxy marks IDs it generated with a header no client can set (it strips theirs).
 */
export async function getRequestIdSource(): Promise<RequestIdSource | undefined> {
  const context = currentRequestContext()
  if (context) return context.requestIdSource
  try {
    const requestHeaders = await headers()
    if (!isValidRequestId(requestHeaders.get(REQUEST_ID_HEADER))) return undefined
    return requestHeaders.get(REQUEST_ID_SOURCE_HEADER) === 'server' ? 'server' : 'client'
  } catch {
    return undefined // outside a request (start-up, scripts)
  }
}

/**
 * A logger whose lines carry `request_id` (and `user_id` once known) for this request. On the
 * Node server they come from the request context on every line; elsewhere from the headers.
 */
export async function getRequestLogger(bindings: Record<string, unknown> = {}): Promise<Logger> {
  if (currentRequestContext()) return Object.keys(bindings).length > 0 ? logger.child(bindings) : logger
  const requestId = await getRequestId()
  return logger.child({ ...(requestId ? { request_id: requestId } : {}), ...bindings })
}

/**
 * Records who is making this request, once the session is known, so the access line, every
 * later log line and every Sentry event of the request carry the user. IDs only, never names
 * or emails: Sentry gets the user ID, and the organization ID as the `org_id` tag, on this
 * request's own (isolation) scope.
 */
export function setRequestUser(user: { userId: string; orgId?: string }): void {
  setErrorTrackingUser(user)
  const context = currentRequestContext()
  if (!context) return
  context.userId = user.userId
  if (user.orgId) context.orgId = user.orgId
  annotateServerSpans('user_id', user.userId)
  if (user.orgId) annotateServerSpans('org_id', user.orgId)
}
