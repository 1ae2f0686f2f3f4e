import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forwardEnvelope } from '@/lib/errors/tunnel'
import { startSentryRecorder, type SentryRecorder } from '../support/sentry-recorder'
import { countedBody } from '../support/counted-body'

function envelope(dsn: string | undefined, event: Record<string, unknown> = { message: 'through the tunnel' }): string {
  return `${JSON.stringify(dsn ? { dsn, sent_at: '2026-01-01T00:00:00Z' } : { sent_at: '2026-01-01T00:00:00Z' })}\n{"type":"event"}\n${JSON.stringify(event)}\n`
}

function post(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request('http://app.test/monitoring', {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-sentry-envelope', Cookie: 'session=visitor-cookie', ...headers },
  })
}

const MiB = 1024 * 1024

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

describe('forwardEnvelope', () => {
  let recorder: SentryRecorder
  beforeAll(async () => {
    recorder = await startSentryRecorder()
  })
  afterAll(async () => {
    await recorder.close()
  })

  it('forwards an envelope for the configured DSN, without the visitor cookies', async () => {
    recorder.clear()
    const { response, outcome } = await forwardEnvelope(post(envelope(recorder.dsn)), { dsn: recorder.dsn })
    expect(outcome).toEqual({ forwarded: true, status: 200 })
    expect(response.status).toBe(200)
    expect(recorder.errorEvents().map((event) => event.message)).toEqual(['through the tunnel'])
    const [received] = recorder.envelopes
    expect(received?.path).toBe('/api/1/envelope/')
    expect(received?.requestHeaders.cookie).toBeUndefined()
    expect(received?.requestHeaders['x-sentry-auth']).toContain('sentry_key=publickey')
  })

  it('forwards to a self-hosted DSN under a path prefix', async () => {
    const seen: string[] = []
    const upstream = http.createServer((req, res) => {
      seen.push(req.url ?? '')
      req.resume().on('end', () => res.writeHead(200).end('{}'))
    })
    const port = await listen(upstream)
    const dsn = `http://key@127.0.0.1:${port}/tools/sentry/42`
    try {
      const { outcome } = await forwardEnvelope(post(envelope(dsn)), { dsn })
      expect(outcome.status).toBe(200)
      expect(seen).toEqual(['/tools/sentry/api/42/envelope/'])
    } finally {
      upstream.close()
    }
  })

  it('passes rate limits back to the SDK', async () => {
    const upstream = http.createServer((req, res) => {
      req
        .resume()
        .on('end', () => res.writeHead(429, { 'Retry-After': '60', 'X-Sentry-Rate-Limits': '60:error:org' }).end())
    })
    const port = await listen(upstream)
    const dsn = `http://key@127.0.0.1:${port}/1`
    try {
      const { response } = await forwardEnvelope(post(envelope(dsn)), { dsn })
      expect(response.status).toBe(429)
      expect(response.headers.get('retry-after')).toBe('60')
      expect(response.headers.get('x-sentry-rate-limits')).toBe('60:error:org')
    } finally {
      upstream.close()
    }
  })

  it.each([
    ['an envelope for another project', (dsn: string) => envelope(dsn.replace(/\/1$/, '/2'))],
    ['an envelope for another key', (dsn: string) => envelope(dsn.replace('publickey@', 'otherkey@'))],
    ['an envelope for another host', () => envelope('http://publickey@203.0.113.7:9000/1')],
    ['an envelope without a DSN', () => envelope(undefined)],
    ['something that is not an envelope', () => 'GET / HTTP/1.1'],
  ])('refuses %s with 400 and contacts no one', async (_name, body) => {
    recorder.clear()
    const { response } = await forwardEnvelope(post(body(recorder.dsn)), { dsn: recorder.dsn })
    expect(response.status).toBe(400)
    expect(recorder.requests).toEqual([])
  })

  it('refuses bodies over the cap with 413, declared or not', async () => {
    recorder.clear()
    const big = envelope(recorder.dsn, { message: 'x'.repeat(2048) })
    expect((await forwardEnvelope(post(big), { dsn: recorder.dsn, maxBytes: 1024 })).response.status).toBe(413)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big))
        controller.close()
      },
    })
    const undeclared = new Request('http://app.test/monitoring', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect((await forwardEnvelope(undeclared, { dsn: recorder.dsn, maxBytes: 1024 })).response.status).toBe(413)
    expect((await forwardEnvelope(post(big), { dsn: recorder.dsn })).response.status).toBe(200)
    expect(recorder.requests).toHaveLength(1)
  })

  it('does not exist without a DSN (404)', async () => {
    expect((await forwardEnvelope(post(envelope(recorder.dsn)), { dsn: undefined })).response.status).toBe(404)
  })

  it('checks the DSN, the method, the declared length and the encoding before reading a byte', async () => {
    recorder.clear()
    const cases: Array<[string, { method: string; headers: Record<string, string>; dsn: string | undefined }, number]> =
      [
        [
          'no DSN, whatever the method and length',
          { method: 'PUT', headers: { 'content-length': String(50 * MiB) }, dsn: undefined },
          404,
        ],
        [
          'a method other than POST',
          { method: 'PUT', headers: { 'content-length': String(50 * MiB) }, dsn: recorder.dsn },
          405,
        ],
        [
          'a declared length over the cap (before the encoding is looked at)',
          {
            method: 'POST',
            headers: { 'content-length': String(50 * MiB), 'content-encoding': 'gzip' },
            dsn: recorder.dsn,
          },
          413,
        ],
        ['a compressed envelope', { method: 'POST', headers: { 'content-encoding': 'gzip' }, dsn: recorder.dsn }, 415],
      ]
    for (const [name, { method, headers, dsn }, status] of cases) {
      const { body, seen } = countedBody(50 * MiB)
      const request = new Request('http://app.test/monitoring', {
        method,
        body,
        headers,
        duplex: 'half',
      } as RequestInit)
      const { response } = await forwardEnvelope(request, { dsn })
      expect(response.status, name).toBe(status)
      expect(seen.bytes, `${name}: bytes read`).toBe(0)
      expect(response.headers.get('connection'), `${name}: the unread body ends the connection`).toBe('close')
      if (status === 405) expect(response.headers.get('allow')).toBe('POST')
    }
    expect(recorder.requests).toEqual([])
  })

  it('stops a body that lies about its length, or never ends, one chunk past the cap (413)', async () => {
    recorder.clear()
    for (const declared of [undefined, '100', String(MiB)]) {
      const { body, seen } = countedBody(Infinity)
      const headers = declared ? { 'content-length': declared } : undefined
      const request = new Request('http://app.test/monitoring', {
        method: 'POST',
        body,
        headers,
        duplex: 'half',
      } as RequestInit)
      const { response } = await forwardEnvelope(request, { dsn: recorder.dsn })
      expect(response.status, `declared ${declared}`).toBe(413)
      expect(seen.bytes, `declared ${declared}`).toBeLessThanOrEqual(MiB + 64 * 1024)
    }
    expect(recorder.requests).toEqual([])
  })

  it('answers 408 to a body that stops arriving, at the deadline', async () => {
    recorder.clear()
    const body = new ReadableStream({ pull: () => new Promise<void>(() => {}) }, { highWaterMark: 0 })
    const started = Date.now()
    const { response } = await forwardEnvelope(
      new Request('http://app.test/monitoring', { method: 'POST', body, duplex: 'half' } as RequestInit),
      {
        dsn: recorder.dsn,
        bodyTimeoutMs: 300,
      },
    )
    expect(response.status).toBe(408)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(recorder.requests).toEqual([])
  })

  it('answers 502 at once when the upstream refuses connections', async () => {
    const closed = net.createServer()
    const port = await listen(closed)
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const dsn = `http://key@127.0.0.1:${port}/1`
    const started = Date.now()
    const { response } = await forwardEnvelope(post(envelope(dsn)), { dsn })
    expect(response.status).toBe(502)
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('answers 504 when the upstream does not answer in time', async () => {
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => sockets.add(socket))
    const port = await listen(silent)
    const dsn = `http://key@127.0.0.1:${port}/1`
    try {
      const started = Date.now()
      const { response } = await forwardEnvelope(post(envelope(dsn)), { dsn, timeoutMs: 300 })
      expect(response.status).toBe(504)
      expect(Date.now() - started).toBeLessThan(1500)
    } finally {
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })
})
