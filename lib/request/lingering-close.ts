// A lingering close for connections whose answer went out while the request's body was still
// arriving: a 404 or 405 decided from the request line, a 413 decided from Content-Length, a
// 413 or 408 cut mid-body (lib/http.ts). Node ends such a connection (`Connection: close`) with
// `socket.destroySoon()`: FIN after the answer, then close(). Closing a TCP socket with unread
// bytes in its receive buffer makes Linux send a reset instead, and a client still busy
// sending (curl uploading, a browser's fetch, tests/support/raw-http.ts) meets that reset on its
// next write and drops the connection, the answer it had not read yet with it: it sees "reset"
// or "broken pipe" where we answered 413. So, as Apache and nginx do: half-close (the FIN goes
// out after the answer), keep reading and discarding for a while, and close only once the client
// has ended its side or LINGER_MS has passed. Reading stops after LINGER_BYTES (the client's
// sends then stall, which is harmless: it reads its answer and goes), so a refused upload costs
// at most that much reading and one socket held for at most LINGER_MS.
import type http from 'node:http'
import type { Socket } from 'node:net'

/** How long a connection may linger after its answer before it is closed whatever the client does. */
export const LINGER_MS = 2000
/** How much of the unwanted body is read (and discarded) while lingering; past this, reading stops. */
export const LINGER_BYTES = 1024 * 1024

const LATEST_REQUEST = Symbol.for('signalbox.lingeringClose.latestRequest')
type LingeringSocket = Socket & { [LATEST_REQUEST]?: http.IncomingMessage }

/**
 * Called for each request, before the app sees it: when Node closes this request's connection
 * after its answer while the body of the connection's latest request is still incomplete, the
 * close lingers (see above) instead of resetting. Every other close is Node's own.
 */
export function lingerOnEarlyClose(req: http.IncomingMessage): void {
  const socket = req.socket as LingeringSocket | null
  if (!socket || typeof socket.destroySoon !== 'function') return
  // Pipelined requests share the socket: a body still arriving belongs to the latest one.
  const installed = LATEST_REQUEST in socket
  socket[LATEST_REQUEST] = req
  if (installed) return
  const destroySoon = socket.destroySoon
  socket.destroySoon = function lingeringDestroySoon(this: LingeringSocket) {
    const latest = this[LATEST_REQUEST]
    if (!latest || latest.complete || this.destroyed || this.readableEnded) return destroySoon.call(this)
    linger(this, latest)
  }
}

function linger(socket: Socket, req: http.IncomingMessage): void {
  // The answer is queued already; the FIN follows it. Both ends having ended, Node destroys the
  // socket itself (autoDestroy), so a client that reads its answer and closes frees it at once.
  socket.end()
  const timer = setTimeout(() => socket.destroy(), LINGER_MS)
  timer.unref()
  socket.once('close', () => clearTimeout(timer))
  // Reading again, through Node: resuming the request restarts a socket paused for the body's
  // backpressure (Node's parser, which holds the socket, does so on the next tick) and the
  // parser drops what it reads, as for any request whose body nobody wanted.
  req.resume()
  // Then the bytes are taken from the parser (adding a 'data' listener does that, which Node
  // supports for code that wants the raw bytes) and the server's own feed of the parser goes:
  // what arrives now is counted and dropped, never parsed as a next request. Past LINGER_BYTES
  // reading stops; the client's sends stall until it reads its answer and leaves.
  setImmediate(() => {
    if (socket.destroyed) return
    let discarded = 0
    socket.removeAllListeners('data')
    socket.on('data', (chunk: Buffer) => {
      discarded += chunk.length
      if (discarded > LINGER_BYTES) socket.pause()
    })
  })
}
