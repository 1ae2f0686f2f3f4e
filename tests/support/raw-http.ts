// A client that speaks HTTP/1.1 over a bare TCP socket, so a test can send what no well-behaved
// client would: a Content-Length that lies, a chunked body that never ends, a byte a second, a
// request line with `..` in it. It reports when the status line came, what the answer was, and
// whether the server ended the connection.
import net from 'node:net'

export type RawBody =
  | { kind: 'none' }
  | { kind: 'bytes'; data: Buffer | string }
  /** Writes as fast as the server takes them, forever: raw bytes (after a Content-Length) or chunks. */
  | { kind: 'endless'; chunked: boolean }
  /** One byte (or one one-byte chunk) every `intervalMs`, forever. */
  | { kind: 'drip'; intervalMs: number; chunked: boolean }

export type RawAnswer = {
  /** The status code, or undefined when no status line arrived. */
  status: number | undefined
  headers: Record<string, string>
  /** Milliseconds from connecting to the status line (or to giving up). */
  ms: number
  /** Body bytes this client managed to hand to its socket. */
  sent: number
  /** True when the server ended the connection after (or instead of) answering. */
  closedByServer: boolean
}

/** Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body`; resolves once answered and closed, or after `timeoutMs`. */
export function rawRequest(port: number, head: string, body: RawBody, timeoutMs = 15_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = net.connect(port, '127.0.0.1')
    let received = ''
    let statusAt: number | undefined
    let sent = 0
    let done = false
    let closedByServer = false
    let drip: ReturnType<typeof setInterval> | undefined
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(timer)
      clearInterval(drip)
      socket.destroy()
      const [statusLine = '', ...lines] = received.split('\r\n\r\n')[0]!.split('\r\n')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).trim().toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      )
      resolve({
        status: match ? Number(match[1]) : undefined,
        headers,
        ms: (statusAt ?? Date.now()) - started,
        sent,
        closedByServer,
      })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (data) => {
      received += data.toString('latin1')
      if (statusAt === undefined && received.includes('\r\n')) statusAt = Date.now()
    })
    // A reset while we are still writing is how a server that stops reading says goodbye.
    socket.on('error', () => {
      closedByServer = true
      finish()
    })
    socket.on('end', () => {
      closedByServer = true
      finish()
    })
    socket.on('close', finish)

    socket.on('connect', () => {
      socket.write(`${head}\r\n\r\n`)
      if (body.kind === 'bytes') {
        socket.write(body.data)
        sent += Buffer.byteLength(body.data)
      } else if (body.kind === 'endless') {
        const piece = Buffer.alloc(64 * 1024, 0x78)
        const framed = body.chunked
          ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')])
          : piece
        const pump = () => {
          while (!done && !socket.destroyed) {
            sent += piece.length
            if (!socket.write(framed)) return void socket.once('drain', pump)
          }
        }
        pump()
      } else if (body.kind === 'drip') {
        drip = setInterval(() => {
          if (socket.destroyed) return
          socket.write(body.chunked ? '1\r\nx\r\n' : 'x')
          sent += 1
        }, body.intervalMs)
      }
    })
  })
}
