// Child process of bench/our-work.mjs: two plain node:http servers with the same trivial JSON
// handler, in one process. The Node hook (lib/request/http-hook) is installed with the same
// listeners start-up registers (the access line, the request metrics), so the `observed` server
// pays exactly our per-request work outside Next: settling the ID, the request context, the
// 503 wrapper, the drain's bookkeeping, the route lookup in the build's manifest, the access
// line (pino, redaction) and the metrics. The `control` server is left unobserved
// (leaveUnobserved), so the difference in CPU per request between the two is that work.
// Run from a build's folder (cwd) so routePatternFor reads a real routes manifest.
import http from 'node:http'
import { writeAccessLine } from '../lib/logs'
import { recordHttpRequest } from '../lib/metrics'
import { installHttpHook, leaveUnobserved, onRequestFinished } from '../lib/request/http-hook'

installHttpHook()
onRequestFinished(writeAccessLine)
onRequestFinished(recordHttpRequest)
// So the parent can check the hook saw every request to `observed` and none to `control`.
let finished = 0
onRequestFinished(() => finished++)

const body = JSON.stringify({ status: 'ok' })
const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'Content-Type': 'application/json' })
  res.end(body)
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

const observed = http.createServer(handler)
const control = http.createServer(handler)
leaveUnobserved(control)

// The parent asks for this process's CPU time before and after each load.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage(), finished })
})
// Gone with the parent (it disconnects when done, or dies): exit normally, so --cpu-prof writes.
process.on('disconnect', () => process.exit(0))
Promise.all([listen(observed), listen(control)]).then(([observedPort, controlPort]) =>
  process.send?.({ ports: { observed: observedPort, control: controlPort } }),
)
