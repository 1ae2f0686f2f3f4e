// Per-request context for the Node server: created by the HTTP hook (http-hook.ts) before
// Next sees the request, so it reaches every log call of that request, including `after()`.
// On platforms without that hook (Vercel functions) it is absent and callers fall back to
// the request headers.
import { AsyncLocalStorage } from 'node:async_hooks'

export type RequestContext = {
  requestId: string
  startedAt: number
  /** Set once the session is known (setRequestUser). */
  userId?: string
  orgId?: string
}

// One instance per process: Next bundles this module into several chunks (instrumentation,
// each route), and they must all see the same storage.
const globalStore = globalThis as unknown as { [key: symbol]: AsyncLocalStorage<RequestContext> | undefined }
const KEY = Symbol.for('signalbox.requestContext')
export const requestContextStorage: AsyncLocalStorage<RequestContext> = (globalStore[KEY] ??= new AsyncLocalStorage())

export function currentRequestContext(): RequestContext | undefined {
  return requestContextStorage.getStore()
}
