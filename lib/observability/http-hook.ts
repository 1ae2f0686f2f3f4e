// The Node server's request hook: wraps `http.Server#emit('request')`, the same technique
// OpenTelemetry's HTTP instrumentation uses, because Next has no response hook. For each
// request it (1) settles the request ID before Next sees the request, (2) runs the request
// inside its context so every log line carries the ID, and (3) writes exactly one access line
// when the response is done — redirects, 404s and thrown errors included.
import http from 'node:http'
import { requestContextStorage, type RequestContext } from './context'
import { logger } from './logger'
import { stripQueryValues } from './redact'
import { REQUEST_ID_HEADER, settleRequestId } from './request-id'
import { routePatternFor } from './routes'

export type AccessRecord = {
  context: RequestContext
  method: string
  path: string
  route: string | undefined
  status: number
  durationMs: number
}

type Listener = (record: AccessRecord) => void
const listeners: Listener[] = []

/** Lets other concerns (metrics) observe each finished request without a second hook. */
export function onRequestFinished(listener: Listener): void {
  listeners.push(listener)
}

const INSTALLED = Symbol.for('signalbox.httpHook')

export function installHttpHook(): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean }
  if (proto[INSTALLED]) return
  proto[INSTALLED] = true
  const originalEmit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean

  proto.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== 'request') return originalEmit.call(this, event, ...args)
    const [req, res] = args as [http.IncomingMessage, http.ServerResponse]
    const { requestId, source } = settleRequestId(req.headers[REQUEST_ID_HEADER])
    const context: RequestContext = {
      requestId,
      requestIdSource: source,
      startedAt: performance.now(),
      peerAddress: req.socket.remoteAddress,
    }
    // Downstream (the proxy, Next, app code) sees only the settled ID.
    req.headers[REQUEST_ID_HEADER] = context.requestId
    res.setHeader(REQUEST_ID_HEADER, context.requestId)
    res.once('close', () => writeAccessLine(req, res, context))
    return requestContextStorage.run(context, () => originalEmit.call(this, event, ...args))
  } as typeof proto.emit
}

function writeAccessLine(req: http.IncomingMessage, res: http.ServerResponse, context: RequestContext): void {
  const url = req.url ?? '/'
  const pathname = url.split('?')[0] ?? '/'
  const record: AccessRecord = {
    context,
    method: req.method ?? 'GET',
    path: stripQueryValues(url),
    route: routePatternFor(pathname),
    // 499: the client went away before the response was finished (nginx's convention).
    status: res.writableFinished ? res.statusCode : 499,
    durationMs: Math.round((performance.now() - context.startedAt) * 10) / 10,
  }
  // The access line is the production record (info); a failing request's error is logged at
  // error by onRequestError. Next's own asset requests are only interesting while debugging.
  const level = pathname.startsWith('/_next/') ? 'debug' : 'info'
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
  for (const listener of listeners) {
    try {
      listener(record)
    } catch (error) {
      logger.warn({ err: error }, 'request_listener_failed')
    }
  }
}
