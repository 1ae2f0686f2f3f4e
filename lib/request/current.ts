// What server components, server actions and route handlers call to learn which request they serve.
import 'server-only'
import { headers } from 'next/headers'
import { currentRequestContext } from './context'
import {
  generateRequestId,
  REQUEST_ID_HEADER,
  REQUEST_ID_SOURCE_HEADER,
  isValidRequestId,
  type RequestIdSource,
} from './id'

/**
 * The current request's ID: the Node hook's request context when there is one, else the ID the
 * proxy set on the request headers (AsyncLocalStorage from the proxy does not reach server
 * components, so this reads `headers()`).
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
 * For route handlers the proxy does not run for (the probes: see proxy.ts's matcher): echoes the
 * request's ID on `handler`'s response, as the proxy would. On the Node server the hook has set
 * the header already, so this adds nothing there; elsewhere (Vercel) a valid incoming ID is kept
 * and anything else replaced, by the same rule.
 */
export function echoingRequestId<Args extends unknown[]>(
  handler: (...args: Args) => Response | Promise<Response>,
): (...args: Args) => Promise<Response> {
  return async (...args) => {
    const response = await handler(...args)
    if (currentRequestContext()) return response
    response.headers.set(REQUEST_ID_HEADER, (await getRequestId()) ?? generateRequestId())
    return response
  }
}
