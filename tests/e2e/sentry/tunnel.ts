// The /monitoring tunnel with a DSN: what it refuses (another DSN, too large a body) and how fast
// it answers when Sentry is down or silent. Registered by sentry.spec.ts.
import net from 'node:net'
import { expect, test, type APIRequestContext } from '@playwright/test'
import { SENTRY_DIST_DIR, envelopeFor, type SentryServer } from '../support/sentry'
import { freePort, startServer } from '../support/server'

export function tunnelTests(served: SentryServer): void {
  test('the tunnel refuses envelopes for another DSN (400) and bodies over 1 MB (413)', async ({ request }) => {
    const { app, recorder } = served
    const foreign = await request.post(`${app.url}/monitoring`, {
      data: envelopeFor(`http://otherkey@127.0.0.1:${recorder.port}/2`, '{"message":"refused: foreign dsn"}'),
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
    })
    expect(foreign.status()).toBe(400)
    const notAnEnvelope = await request.post(`${app.url}/monitoring`, { data: 'hello' })
    expect(notAnEnvelope.status()).toBe(400)
    const huge = await request.post(`${app.url}/monitoring`, {
      data: envelopeFor(recorder.dsn, JSON.stringify({ message: `refused: too large ${'x'.repeat(1_500_000)}` })),
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
    })
    expect(huge.status()).toBe(413)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(recorder.allText()).not.toContain('refused:')
  })

  test('when the upstream is down or silent, the tunnel answers 502 / 504 fast', async ({ request }) => {
    // The same build; only the server's (run-time) DSN matters to the tunnel.
    const port = await freePort() // nothing listens here yet
    const dsn = `http://publickey@127.0.0.1:${port}/1`
    const app = await startServer({
      distDir: SENTRY_DIST_DIR,
      env: { NEXT_PUBLIC_SENTRY_DSN: dsn },
      waitForReady: true,
    })
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => sockets.add(socket)) // accepts, never answers
    try {
      const post = (client: APIRequestContext) =>
        client.post(`${app.url}/monitoring`, {
          data: envelopeFor(dsn),
          headers: { 'Content-Type': 'application/x-sentry-envelope' },
          timeout: 10_000,
        })

      let started = Date.now()
      const refused = await post(request)
      expect(refused.status()).toBe(502)
      expect(Date.now() - started).toBeLessThan(1500)

      await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve))
      started = Date.now()
      const hanging = await post(request)
      expect(hanging.status()).toBe(504)
      expect(Date.now() - started).toBeLessThan(4500)
      expect(app.output.some((line) => line.includes('sentry_tunnel_failed'))).toBe(true)
    } finally {
      await app.stop()
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })
}
