// A fixed local port in front of a real server that a test can unplug and plug back in: while
// off, nothing listens there (connections are refused, open ones are cut); while on, every
// connection is piped to the target. For "the dependency goes down and comes back" without
// stopping the shared PostgreSQL or changing a URL the app has already read.
import net from 'node:net'

export type PortSwitch = {
  port: number
  off: () => Promise<void>
  on: () => Promise<void>
  close: () => Promise<void>
}

export async function startPortSwitch(target: { host: string; port: number }): Promise<PortSwitch> {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        for (const socket of [client, upstream]) {
          sockets.add(socket)
          socket.on('close', () => sockets.delete(socket))
          socket.on('error', () => {})
        }
        client.pipe(upstream).pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as net.AddressInfo).port
        server = next
        resolve()
      })
    })
  const off = async () => {
    for (const socket of sockets) socket.destroy()
    const current = server
    server = undefined
    if (current) await new Promise((resolve) => current.close(resolve))
  }
  await listen()
  return {
    get port() {
      return port
    },
    off,
    on: () => (server ? Promise.resolve() : listen()),
    close: off,
  }
}

/** A switch in front of the server a database URL names, and the same URL pointed at the switch. */
export async function behindPortSwitch(databaseUrl: string): Promise<{ plug: PortSwitch; url: string }> {
  const url = new URL(databaseUrl)
  const plug = await startPortSwitch({ host: url.hostname, port: Number(url.port || 5432) })
  url.hostname = '127.0.0.1'
  url.port = String(plug.port)
  return { plug, url: url.toString() }
}
