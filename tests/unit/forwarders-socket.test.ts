// Both forwarders behind a real Node HTTP server, handed the request the way Next's Node server
// hands it to a route handler (a web Request whose body is the IncomingMessage), attacked over
// a bare TCP socket: a Content-Length far over the cap, one that promises more than it sends,
// a chunked body that never ends, one that drips a byte at a time. What must hold on a real
// socket: the answer comes quickly, the connection is ended rather than drained, and the server
// takes only about the cap off the wire. tests/e2e/forwarders.spec.ts does the same against `next start`.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forwardToPostHog } from '@/lib/analytics/ingest'
import { forwardEnvelope } from '@/lib/errors/tunnel'
import { rawRequest } from '../support/raw-http'

const MiB = 1024 * 1024
const BODY_TIMEOUT_MS = 800

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

describe('the forwarders on a real socket', () => {
  let app: http.Server
  let port: number
  let upstream: http.Server
  const upstreamRequests: string[] = []
  /** Bytes the app's server took off each connection, by the time the connection closed. */
  const bytesRead: number[] = []

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      upstreamRequests.push(`${req.method} ${req.url}`)
      req.resume().on('end', () => res.writeHead(200).end('{}'))
    })
    const upstreamUrl = `http://127.0.0.1:${await listen(upstream)}`
    const dsn = `http://publickey@127.0.0.1:${(upstream.address() as AddressInfo).port}/1`
    app = http.createServer(async (req, res) => {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        // As Next's NextRequestAdapter does: the IncomingMessage itself is the body.
        ...(hasBody ? { body: req as unknown as BodyInit, duplex: 'half' } : {}),
      } as RequestInit)
      const response = req.url!.startsWith('/monitoring')
        ? (await forwardEnvelope(request, { dsn, bodyTimeoutMs: BODY_TIMEOUT_MS })).response
        : await forwardToPostHog(request, {
            key: 'phc_socket',
            hosts: { api: upstreamUrl, assets: upstreamUrl },
            bodyTimeoutMs: BODY_TIMEOUT_MS,
          })
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
    app.on('connection', (socket) => socket.on('close', () => bytesRead.push(socket.bytesRead)))
    port = await listen(app)
  })
  afterAll(async () => {
    app.closeAllConnections()
    upstream.closeAllConnections()
    await new Promise((resolve) => app.close(resolve))
    await new Promise((resolve) => upstream.close(resolve))
  })

  const lastBytesRead = async () => {
    await new Promise((resolve) => setTimeout(resolve, 50))
    return bytesRead.at(-1)!
  }

  for (const path of ['/ingest/e/', '/monitoring']) {
    it(`${path}: a declared 50 MiB body is refused at once, and the connection ends instead of draining it`, async () => {
      const answer = await rawRequest(port, `POST ${path} HTTP/1.1\r\nHost: app.test\r\nContent-Length: ${50 * MiB}`, {
        kind: 'endless',
        chunked: false,
      })
      expect(answer.status).toBe(413)
      expect(answer.headers.connection).toBe('close')
      expect(answer.closedByServer).toBe(true)
      expect(answer.ms).toBeLessThan(2000)
      expect(await lastBytesRead()).toBeLessThan(512 * 1024)
    })

    it(`${path}: a chunked body that never ends is cut one chunk past the cap (413)`, async () => {
      const answer = await rawRequest(port, `POST ${path} HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked`, {
        kind: 'endless',
        chunked: true,
      })
      expect(answer.status).toBe(413)
      expect(answer.closedByServer).toBe(true)
      expect(answer.ms).toBeLessThan(3000)
      // The cap, plus what one read and the socket's buffers hold: nowhere near the 8 MiB drained before.
      expect(await lastBytesRead()).toBeLessThan(2 * MiB)
    })

    it(`${path}: a body that drips a byte at a time, or promises more than it sends, ends at the deadline (408)`, async () => {
      for (const [head, body] of [
        [
          `POST ${path} HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked`,
          { kind: 'drip', intervalMs: 50, chunked: true },
        ],
        [`POST ${path} HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1000`, { kind: 'bytes', data: 'only ten b' }],
      ] as const) {
        const answer = await rawRequest(port, head, body)
        expect(answer.status, head).toBe(408)
        expect(answer.ms).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 50)
        expect(answer.ms).toBeLessThan(BODY_TIMEOUT_MS + 2000)
        expect(answer.closedByServer).toBe(true)
      }
    })
  }

  it('nothing refused above reached the upstream', () => {
    expect(upstreamRequests).toEqual([])
  })
})
