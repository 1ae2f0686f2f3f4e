// The Node server's request hook: wraps `http.Server#emit('request')`, the same technique
// OpenTelemetry's HTTP instrumentation uses, because Next has no response hook. For each
// request it (1) settles the request ID before Next sees the request, (2) runs the request
// inside its context so every log line carries the ID, (3) lets a connection closed while its
// body is still arriving linger instead of resetting (./lingering-close), and (4) exactly once
// when the response is done — redirects, 404s and thrown errors included — hands one record of
// it to each listener (the access line in lib/logs, the request metrics in lib/metrics).
import http from 'node:http'
import { stripQueryValues } from '../privacy'
import { RETRY_AFTER_SECONDS, requestContextStorage, type RequestContext } from './context'
import { REQUEST_ID_HEADER, settleRequestId } from './id'
import { lingerOnEarlyClose } from './lingering-close'
import { routePatternFor } from './routes'
import { noteRequestEnded, noteRequestStarted } from './server-drain'

// What the shutdown (lib/shutdown.ts) needs to stop the intake: part of this Node-only entry.
export { closeAllConnections, stopAcceptingRequests } from './server-drain'

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

/** Lets other concerns (the access line, metrics) observe each finished request without a second hook. */
export function onRequestFinished(listener: Listener): void {
  listeners.push(listener)
}

// A listener that throws must not take the others (or the process) down; start-up says where
// its error goes (the logger), which this room cannot import without a cycle.
let onListenerError: (error: unknown) => void = () => {}

const INSTALLED = Symbol.for('signalbox.httpHook')
const UNOBSERVED = Symbol.for('signalbox.httpHook.unobserved')

/**
 * Leaves `server`'s requests alone: no request ID, no access line, no request metrics, and the
 * shutdown's drain does not wait for it. For the metrics listener (METRICS_PORT), whose scrapes
 * are not the app's traffic and would otherwise add a line and a series every 15 seconds.
 */
export function leaveUnobserved(server: http.Server): void {
  ;(server as http.Server & { [UNOBSERVED]?: true })[UNOBSERVED] = true
}

/**
 * Methods the Fetch standard forbids: `new Request()` throws on them, so Next answered every
 * route with a 500 (found by tests/reliability/bad-input.test.ts). No route can serve them.
 * Node's parser already refuses TRACK and hands CONNECT to another event; TRACE gets here.
 */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * Whether the path (not the query) has a `%` escape that does not decode (`%ZZ`, or `%E0` alone,
 * half a UTF-8 character). Next answered those with a bare 500 on some routes (`/ingest/%E0`,
 * `/api/auth/%E0`, a page behind the proxy): no log line, no security headers, and a 5xx that
 * anyone could send to set off an error-rate alert. The request is the client's mistake: 400.
 */
export function hasMalformedPathEscape(url: string): boolean {
  const queryAt = url.indexOf('?')
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  if (!path.includes('%')) return false
  try {
    decodeURIComponent(path)
    return false
  } catch {
    return true
  }
}

const RESPONSE_MAX_LISTENERS = 20

export function installHttpHook(options: { onListenerError?: (error: unknown) => void } = {}): void {
  if (options.onListenerError) onListenerError = options.onListenerError
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean }
  if (proto[INSTALLED]) return
  proto[INSTALLED] = true
  const originalEmit = proto.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean

  proto.emit = function emit(this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event !== 'request' || (this as { [UNOBSERVED]?: true })[UNOBSERVED])
      return originalEmit.call(this, event, ...args)
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
    // Each layer adds its own 'close' listeners to a response: Next eight on a page under
    // `next dev` (6 December, Next 16.4), Sentry's server integration two, this hook one. That
    // passes Node's default ceiling of ten, and `next dev` printed a "possible EventEmitter
    // memory leak" warning on every page. A response closes once and its listeners go with it,
    // so a higher ceiling hides no leak.
    res.setMaxListeners(RESPONSE_MAX_LISTENERS)
    res.once('close', () => {
      noteRequestEnded(res)
      finish(req, res, context)
    })
    sendUnavailableAs503(res, context)
    noteRequestStarted(this, res)
    // An answer sent before the body is all in (404, 413…) must not end in a reset that loses it.
    lingerOnEarlyClose(req)
    if (FORBIDDEN_METHODS.has(req.method ?? '')) return refuse(res, 405, 'Method Not Allowed')
    if (hasMalformedPathEscape(req.url ?? '/'))
      return refuse(res, 400, 'Bad Request: malformed percent-encoding in the path')
    return requestContextStorage.run(context, () => originalEmit.call(this, event, ...args))
  } as typeof proto.emit
}

/** An answer the hook gives itself, before Next: plain text, never sniffed as anything else. */
function refuse(res: http.ServerResponse, status: number, message: string): true {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
  res.end(message)
  return true
}

/**
 * A request that failed because a dependency was down (context.dependencyUnavailable) is
 * answered 503 with Retry-After instead of Next's 500: the request was fine, a retry may work,
 * and a load balancer or client treats the two differently. Pages need this: a server component
 * cannot set its status, and the error boundary renders with 500. Node's implicit header goes
 * through `writeHead(statusCode)` too, so this sees every response before its head is sent.
 */
function sendUnavailableAs503(res: http.ServerResponse, context: RequestContext): void {
  const writeHead = res.writeHead as (
    this: http.ServerResponse,
    status: number,
    ...rest: unknown[]
  ) => http.ServerResponse
  res.writeHead = function (this: http.ServerResponse, status: number, ...rest: unknown[]) {
    if (status === 500 && context.dependencyUnavailable) {
      status = 503
      this.statusMessage = 'Service Unavailable'
      if (typeof rest[0] === 'string') rest[0] = this.statusMessage
      if (!this.hasHeader('retry-after')) this.setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
      this.setHeader('Cache-Control', 'no-store')
    }
    return writeHead.call(this, status, ...rest)
  } as typeof res.writeHead
}

function finish(req: http.IncomingMessage, res: http.ServerResponse, context: RequestContext): void {
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
  for (const listener of listeners) {
    try {
      listener(record)
    } catch (error) {
      onListenerError(error)
    }
  }
}
