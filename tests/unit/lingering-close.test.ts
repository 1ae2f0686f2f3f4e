// An answer sent while the request's body is still arriving (the forwarders' 404 and 413, as
// tests/e2e/forwarders.spec.ts sends them) must reach a client that is still sending. Node closes
// such a connection right after the answer; with unread bytes in the receive buffer Linux then
// resets it, and a client that meets the reset on its next write (curl: "Send failure: Broken
// pipe"; tests/support/raw-http.ts) drops the answer it had not read yet. With the Node hook
// installed the close lingers (lib/request/lingering-close.ts). The server answers the way the
// forwarders do: at once, without reading the body, with `Connection: close`.
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installHttpHook } from '@/lib/request/http-hook'
import { LINGER_BYTES, LINGER_MS } from '@/lib/request/lingering-close'

const MiB = 1024 * 1024

type Outcome = {
  /** The status line, if one arrived. */
  status: string | undefined
  /** What the client saw, in order: 'answer', 'end' (the server's FIN), 'error:CODE', 'close'. */
  events: string[]
  /** Milliseconds from connecting to the socket's close. */
  closedAfterMs: number
  /** The client's port: the key of the server's side in `closedByPort`. */
  port: number
}

/**
 * Sends `head` and then writes 64 KiB pieces as fast as the server takes them until `stopAfterMs`
 * (or forever when undefined), reading as it goes; never gives up on its own because of the
 * answer, so a reset after it shows up as an error rather than being raced by our own close.
 */
function sendingClient(port: number, head: string, stopAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now()
    // Half-open allowed: the server's FIN must not stop the writing (Node would fail the next write itself).
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    const events: string[] = []
    let received = ''
    let stopped = false
    socket.on('data', (data) => {
      const before = received.includes('\r\n')
      received += data.toString('latin1')
      if (!before && received.includes('\r\n')) events.push('answer')
    })
    socket.on('end', () => events.push('end'))
    socket.on('error', (error: NodeJS.ErrnoException) => events.push(`error:${error.code}`))
    socket.on('close', () => {
      events.push('close')
      resolve({
        status: /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1],
        events,
        closedAfterMs: Date.now() - started,
        port: clientPort,
      })
    })
    let clientPort = 0
    socket.on('connect', () => {
      clientPort = socket.localPort!
      socket.write(`${head}\r\n\r\n`)
      const piece = Buffer.alloc(64 * 1024, 0x78)
      const pump = () => {
        while (!stopped && !socket.destroyed) if (!socket.write(piece)) return void socket.once('drain', pump)
      }
      pump()
      if (stopAfterMs !== undefined)
        setTimeout(() => {
          stopped = true
          socket.destroy()
        }, stopAfterMs)
    })
  })
}

describe('a connection closed while its body is still arriving', () => {
  let server: http.Server
  let port: number
  /** The server's side of each closed connection, by the client's port: bytes read, milliseconds open. */
  const closedByPort = new Map<number, { bytesRead: number; openMs: number }>()

  beforeAll(async () => {
    installHttpHook()
    server = http.createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain', Connection: 'close' })
      res.end('Not found')
    })
    server.on('connection', (socket: net.Socket) => {
      const opened = Date.now()
      const clientPort = socket.remotePort!
      socket.on('close', () =>
        closedByPort.set(clientPort, { bytesRead: socket.bytesRead, openMs: Date.now() - opened }),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const declared50MiB = `POST /ingest/e/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${50 * MiB}`

  it('ends with a FIN the client can read its answer before, never a reset, while the client goes on sending', async () => {
    // Without the lingering close this fails nearly every time: "error:EPIPE" after the answer.
    for (let i = 0; i < 20; i++) {
      const outcome = await sendingClient(port, declared50MiB, 300)
      expect(outcome.status).toBe('404')
      expect(outcome.events).toEqual(['answer', 'end', 'close'])
    }
  })

  it('is closed by the server within LINGER_MS, having read at most about LINGER_BYTES, when the client never stops', async () => {
    const outcome = await sendingClient(port, declared50MiB)
    expect(outcome.status).toBe('404')
    expect(outcome.events.slice(0, 2)).toEqual(['answer', 'end'])
    expect(outcome.events.at(-1)).toBe('close')
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(LINGER_MS - 100)
    expect(outcome.closedAfterMs).toBeLessThan(LINGER_MS + 1500)
    await expect.poll(() => closedByPort.has(outcome.port)).toBe(true)
    // The cap, plus what the parser took before the answer and one read past the cap.
    expect(closedByPort.get(outcome.port)!.bytesRead).toBeLessThan(LINGER_BYTES + 2 * MiB)
  })

  it('frees the socket as soon as a client that stopped sending has read its answer and left', async () => {
    const socket = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const clientPort = socket.localPort!
    socket.write(`${declared50MiB}\r\n\r\n`)
    socket.write(Buffer.alloc(256 * 1024, 0x78))
    const answer = await new Promise<string>((resolve) => {
      let received = ''
      socket.on('data', (data) => (received += data.toString('latin1')))
      socket.once('end', () => resolve(received))
    })
    expect(answer).toMatch(/^HTTP\/1\.1 404 /)
    socket.end()
    await expect.poll(() => closedByPort.has(clientPort), { timeout: LINGER_MS / 2 }).toBe(true)
  })

  it('leaves a request whose body is all in to Node: closed at once after the answer', async () => {
    const socket = net.connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const clientPort = socket.localPort!
    socket.write('POST /ingest/e/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}')
    socket.resume()
    await new Promise((resolve) => socket.once('end', resolve))
    await expect.poll(() => closedByPort.has(clientPort), { timeout: 500 }).toBe(true)
    expect(closedByPort.get(clientPort)!.openMs).toBeLessThan(500)
    socket.destroy()
  })
})
