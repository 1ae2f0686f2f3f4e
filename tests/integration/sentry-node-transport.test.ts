// The Node server's Sentry transport (lib/errors/sentry-node-transport.ts) against a Sentry
// stand-in that accepts connections and, while `hung`, never answers. The SDK's own transport
// keeps such sends open for ever, and once its agent's 30 sockets are taken nothing is sent
// again; with the deadline each send is abandoned, told as down, and Sentry is reached again
// once it answers.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createEnvelope } from '@sentry/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sentryNodeTransport } from '@/lib/errors/sentry-node-transport'

const IDLE_MS = 200
let hung = true
let received = 0
const held = new Set<http.ServerResponse>()
const server = http.createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    received += 1
    if (hung) held.add(response)
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
})
let url: string

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/1/envelope/?sentry_key=publickey`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const envelope = (i: number) =>
  createEnvelope({ event_id: String(i).padStart(32, '0') }, [[{ type: 'event' }, { message: `event ${i}` }]])

describe('sentryNodeTransport', () => {
  it('abandons sends Sentry never answers, says so, and reaches Sentry again once it answers', async () => {
    const told: boolean[] = []
    const transport = sentryNodeTransport({ onSent: (ok) => told.push(ok), idleTimeoutMs: IDLE_MS })({
      url,
      recordDroppedEvent: () => {},
    })
    // More than the SDK agent's 30 sockets, fewer than its queue's 64 envelopes.
    const started = performance.now()
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => transport.send(envelope(i))))
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true)
    // 30 at a time, each abandoned after IDLE_MS: two rounds, not for ever.
    expect(performance.now() - started).toBeLessThan(IDLE_MS * 2 + 1000)
    expect(received).toBe(40)
    expect(told).toEqual(Array.from({ length: 40 }, () => false))

    hung = false
    const answer = await transport.send(envelope(40))
    expect(answer.statusCode).toBe(200)
    expect(told.at(-1)).toBe(true)
  })
})
