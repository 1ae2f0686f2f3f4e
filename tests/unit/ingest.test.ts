// /ingest: which PostHog URL a same-origin request stands for, and what is forwarded to it.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forwardToPostHog, upstreamUrlFor } from '@/lib/analytics/ingest'

const hosts = { api: 'https://eu.i.posthog.com', assets: 'https://eu-assets.i.posthog.com/' }

describe('upstreamUrlFor', () => {
  it.each([
    ['http://app.test/ingest/e/?ip=0&compression=gzip-js', 'https://eu.i.posthog.com/e/?ip=0&compression=gzip-js'],
    ['http://app.test/ingest/flags/?v=2', 'https://eu.i.posthog.com/flags/?v=2'],
    ['http://app.test/ingest/static/recorder.js?v=1.2', 'https://eu-assets.i.posthog.com/static/recorder.js?v=1.2'],
    ['http://app.test/ingest', 'https://eu.i.posthog.com/'],
  ])('%s → %s', (from, to) => {
    expect(upstreamUrlFor(from, hosts)).toBe(to)
  })

  it('refuses anything outside /ingest', () => {
    expect(upstreamUrlFor('http://app.test/ingestion/e/', hosts)).toBeUndefined()
  })
})

describe('forwardToPostHog', () => {
  let upstream: http.Server
  let local: { api: string; assets: string }
  const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = []
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body })
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'ph=upstream' }).end('{"status":1}')
      })
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
    local = { api: url, assets: url }
  })
  afterAll(async () => {
    await new Promise((resolve) => upstream.close(resolve))
  })

  it('forwards the body and what PostHog reads, never cookies, auth or the client IP', async () => {
    const response = await forwardToPostHog(
      new Request('http://app.test/ingest/e/?compression=gzip-js', {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          cookie: 'authjs.session-token=planted-session',
          authorization: 'Bearer planted-token',
          'x-forwarded-for': '203.0.113.9',
          'user-agent': 'Mozilla/5.0 test',
        },
        body: 'batch-payload',
      }),
      local,
    )
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('{"status":1}')
    expect(response.headers.get('set-cookie')).toBeNull()
    const [forwarded] = received.splice(0)
    expect(forwarded).toMatchObject({ url: '/e/?compression=gzip-js', body: 'batch-payload' })
    expect(forwarded!.headers).toMatchObject({ 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 test' })
    for (const name of ['cookie', 'authorization', 'x-forwarded-for']) expect(forwarded!.headers[name]).toBeUndefined()
  })

  it('answers 413 for a body no PostHog payload reaches, and 502 when PostHog is unreachable', async () => {
    const huge = await forwardToPostHog(new Request('http://app.test/ingest/e/', { method: 'POST', body: new Uint8Array(21 * 1024 * 1024) }), local)
    expect(huge.status).toBe(413)
    expect(received).toEqual([])
    const down = await forwardToPostHog(new Request('http://app.test/ingest/e/', { method: 'POST', body: 'x' }), { api: 'http://127.0.0.1:9', assets: 'http://127.0.0.1:9' })
    expect(down.status).toBe(502)
  })
})
