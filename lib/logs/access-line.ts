// The access line: one `info` line per finished request on the Node server, written when the
// request hook (lib/request) reports it. The production record of what was asked and answered.
import type { AccessRecord } from '../request'
import { logger } from './logger'

export function writeAccessLine(record: AccessRecord): void {
  const { context } = record
  // The access line is the production record (info); a failing request's error is logged at
  // error by onRequestError. Next's own asset requests are only interesting while debugging.
  const level = record.path.startsWith('/_next/') ? 'debug' : 'info'
  logger[level](
    {
      kind: 'access',
      request_id: context.requestId,
      ...(context.userId ? { user_id: context.userId } : {}),
      // The request's own trace (its entry span), not whatever span happens to be active here.
      ...(context.traceId ? { trace_id: context.traceId, span_id: context.spanId } : {}),
      method: record.method,
      path: record.path,
      route: record.route ?? null,
      status: record.status,
      duration_ms: record.durationMs,
    },
    'request',
  )
}
