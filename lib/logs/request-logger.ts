// The logger request code uses: its lines carry the request's ID wherever it runs.
import 'server-only'
import { currentRequestContext, getRequestId } from '../request'
import { logger, type Logger } from './logger'

/**
 * A logger whose lines carry `request_id` (and `user_id` once known) for this request. On the
 * Node server both come from the request context on every line; elsewhere only `request_id`,
 * from the headers.
 */
export async function getRequestLogger(bindings: Record<string, unknown> = {}): Promise<Logger> {
  if (currentRequestContext()) return Object.keys(bindings).length > 0 ? logger.child(bindings) : logger
  const requestId = await getRequestId()
  return logger.child({ ...(requestId ? { request_id: requestId } : {}), ...bindings })
}
