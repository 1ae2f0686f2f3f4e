// A fixed local port in front of a real server that a test can unplug and plug back in: while
// off, nothing listens there (connections are refused, open ones are cut); while on, every
// connection is piped to the target. For "the dependency goes down and comes back" without
// stopping the shared PostgreSQL or changing a URL the app has already read. It can also go
// silent (stall): connections stay open and new ones are accepted, but nothing is passed on in
// either direction, as across a network partition that resets nothing.
import net from 'node:net'

export type PortSwitch = {
  port: number
  off: () => Promise<void>
  on: () => Promise<void>
  /** Passes nothing on, either way, until off() (open connections stay open; none is reset). */
  stall: () => void
  close: () => Promise<void>
}

export async function startPortSwitch(target: { host: string; port: number }): Promise<PortSwitch> {
  const sockets = new Set<net.Socket>()
  const pairs = new Set<[net.Socket, net.Socket]>()
  let stalled = false
  let server: net.Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = net.createServer((client) => {
        if (stalled) {
          sockets.add(client)
          client.on('close', () => sockets.delete(client))
          client.on('error', () => {})
          client.pause()
          return
        }
        const upstream = net.connect(target.port, target.host)
        const pair: [net.Socket, net.Socket] = [client, upstream]
        pairs.add(pair)
        client.on('close', () => pairs.delete(pair))
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
  const stall = () => {
    stalled = true
    for (const [client, upstream] of pairs) {
      client.unpipe(upstream)
      upstream.unpipe(client)
      client.pause()
      upstream.pause()
    }
  }
  const off = async () => {
    stalled = false
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
    stall,
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
