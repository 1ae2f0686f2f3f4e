// An HTTP front for a local stand-in (the PostHog recorder, the Sentry recorder, the OTLP
// receiver) that can turn slow or hung between requests, as a vendor's ingest does in an
// outage: `healthy` forwards at once; `slow` holds each request `slowMs`, then forwards it if
// the client is still waiting (a client that gave up has its own record of the failure);
// `hung` reads the request and never answers. The mode a request meets on arrival is the one it
// gets. close() drops whatever is still held.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export type UpstreamMode = 'healthy' | 'slow' | 'hung'

export type FaultyUpstream = {
  /** Where the app should send: the same paths as the stand-in behind it. */
  url: string
  mode: UpstreamMode
  slowMs: number
  /** Requests held now (slow, waiting; hung, for ever), i.e. connections the app keeps open to us. */
  held: () => number
  /** Requests received, by the mode they met. */
  received: Record<UpstreamMode, number>
  /** Requests held while slow whose client gave up before the answer: never forwarded. */
  abandonedByClient: number
  close: () => Promise<void>
}

export async function startFaultyUpstream(target: string, { slowMs = 10_000 } = {}): Promise<FaultyUpstream> {
  const behind = new URL(target)
  const held = new Set<http.ServerResponse>()
  const timers = new Set<NodeJS.Timeout>()

  const forward = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => {
    const headers = { ...request.headers, host: behind.host, 'content-length': String(body.length) }
    delete headers['transfer-encoding']
    const upstream = http.request(
      { host: behind.hostname, port: behind.port, method: request.method, path: request.url, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      },
    )
    upstream.on('error', () => response.destroy())
    upstream.end(body)
  }

  const server = http.createServer((request, response) => {
    const mode = front.mode
    front.received[mode] += 1
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      if (mode === 'healthy') return forward(request, body, response)
      held.add(response)
      response.on('close', () => held.delete(response))
      if (mode === 'hung') return // read, and never answered
      const timer = setTimeout(() => {
        timers.delete(timer)
        if (response.destroyed || request.socket.destroyed) {
          front.abandonedByClient += 1
          return
        }
        held.delete(response)
        forward(request, body, response)
      }, front.slowMs)
      timers.add(timer)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const front: FaultyUpstream = {
    url: `http://127.0.0.1:${port}`,
    mode: 'healthy',
    slowMs,
    held: () => [...held].filter((response) => !response.destroyed).length,
    received: { healthy: 0, slow: 0, hung: 0 },
    abandonedByClient: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return front
}
