// Stopping the Node server's intake when the process is asked to stop: the listening socket
// closes (a new connection is refused, which a client or load balancer can retry elsewhere),
// requests already accepted run to their end, and every connection closes once its last
// response is out. The request hook (http-hook.ts) reports each request here, which is how the
// server instances and the requests still in flight are known without Next telling us.
import type http from 'node:http'
import { perProcess } from '../singleton'

type DrainState = { servers: Set<http.Server>; inFlight: Set<http.ServerResponse>; draining: boolean }

const state = () =>
  perProcess<DrainState>('serverDrain', () => ({ servers: new Set(), inFlight: new Set(), draining: false }))

/** Called by the request hook for each request, before Next sees it. */
export function noteRequestStarted(server: http.Server, res: http.ServerResponse): void {
  const { servers, inFlight, draining } = state()
  servers.add(server)
  inFlight.add(res)
  // A request that arrives on a kept-alive connection while stopping is served, and its
  // connection is closed after it, so the client opens its next one elsewhere.
  if (draining) res.shouldKeepAlive = false
}

/** Called by the request hook when the response closes (finished or cut). */
export function noteRequestEnded(res: http.ServerResponse): void {
  state().inFlight.delete(res)
}

/**
 * Closes the listening sockets, lets the requests in flight finish until `deadline` (epoch ms),
 * then closes the idle connections. Resolves with how many requests were still running at the
 * deadline: those are cut when the process exits.
 */
export async function stopAcceptingRequests(deadline: number): Promise<{ unfinished: number }> {
  const current = state()
  current.draining = true
  for (const res of current.inFlight) if (!res.headersSent) res.shouldKeepAlive = false
  for (const server of current.servers) server.close() // also closes the connections idle right now
  while (current.inFlight.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  // Connections whose response went out with keep-alive before the stop are idle now.
  for (const server of current.servers) server.closeIdleConnections()
  return { unfinished: current.inFlight.size }
}

/** The last step before exit: whatever is still open is cut now rather than by the exit. */
export function closeAllConnections(): void {
  for (const server of state().servers) server.closeAllConnections()
}
