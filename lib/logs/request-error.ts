// The error line for every server error Next reports through onRequestError.
import type { Instrumentation } from 'next'
import { logger } from './logger'
import { REQUEST_ID_HEADER, isValidRequestId, noteErrorDigest } from '../request'

type RequestErrorArgs = Parameters<Instrumentation.onRequestError>

/**
 * One `error` line per failed request with what on-call needs: the request ID, where it
 * failed (route type and pattern), and the error's name, message, stack and digest (the
 * reference shown on the error page).
 */
export function logRequestError(...[error, request, context]: RequestErrorArgs): void {
  const header = request.headers[REQUEST_ID_HEADER]
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'Non-Error thrown')
  const { digest } = err as Error & { digest?: unknown }
  if (typeof digest === 'string') noteErrorDigest(digest) // the access line names it too
  logger.error(
    {
      kind: 'request_error',
      ...(isValidRequestId(header) ? { request_id: header } : {}),
      method: request.method,
      route_type: context.routeType,
      route_path: context.routePath,
      router_kind: context.routerKind,
      ...(context.renderSource ? { render_source: context.renderSource } : {}),
      ...(context.revalidateReason ? { revalidate_reason: context.revalidateReason } : {}),
      err,
    },
    `${err.name}: ${err.message}`,
  )
}
