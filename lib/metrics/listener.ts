// The metrics on a port of their own (METRICS_PORT, 9464 by convention): a plain node:http
// listener that start-up opens next to Next's, so Prometheus scrapes never share the public port,
// its proxy, its rate limits or its access log. GET (or HEAD) /metrics only; when METRICS_TOKEN is set it is
// required here too, so binding to 0.0.0.0 in a container does not publish the series.
import http from 'node:http'
import { leaveUnobserved } from '../request/http-hook'
import { perProcess } from '../singleton'
import { exposition } from './registry'
import { scrapeDecision } from './scrape-access'

const current = () => perProcess('metricsListener', () => ({ server: undefined as http.Server | undefined }))

async function answer(req: http.IncomingMessage, res: http.ServerResponse, token: string | undefined) {
  const path = (req.url ?? '/').split('?')[0]
  if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: the metrics are at GET /metrics')
    return
  }
  // Never `production: true`: this listener exists only because the operator asked for it.
  if (scrapeDecision({ production: false, token, authorization: req.headers.authorization ?? null }) !== 'allow') {
    res
      .writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer realm="metrics"' })
      .end('Unauthorized')
    return
  }
  const { body, contentType } = await exposition(req.headers.accept)
  res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' })
  res.end(req.method === 'HEAD' ? undefined : body)
}

/** Opens the listener on `host`:`port`; rejects when it cannot listen (port taken, address not local). */
export async function startMetricsListener(options: {
  port: number
  host: string
  token: string | undefined
}): Promise<{ port: number }> {
  const server = http.createServer((req, res) => {
    answer(req, res, options.token).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end()
    })
  })
  leaveUnobserved(server)
  // A scrape is one short request every few seconds: no reason to keep idle sockets for long.
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  current().server = server
  return { port: (server.address() as { port: number }).port }
}

/** Closes the listener and its connections (the shutdown's last step); nothing when none is open. */
export async function stopMetricsListener(): Promise<void> {
  const { server } = current()
  if (!server) return
  current().server = undefined
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeAllConnections()
  await closed
}
