// /ingest: which PostHog URL a same-origin request stands for, what is forwarded to it, and
// what is refused before anything is read or sent (no key, a path posthog-js does not use, the
// wrong method, a body over the cap).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { forwardToPostHog, upstreamFor, MAX_INGEST_BYTES } from '@/lib/analytics/ingest'
import { countedBody } from '../support/counted-body'

const KEY = 'phc_test_key'
const hosts = { api: 'https://eu.i.posthog.com', assets: 'https://eu-assets.i.posthog.com/' }

describe('upstreamFor: the paths posthog-js uses, and no other', () => {
  it.each([
    ['/ingest/e/?ip=0&compression=gzip-js', 'https://eu.i.posthog.com/e/?ip=0&compression=gzip-js', ['POST']],
    ['/ingest/i/v0/e/?ver=1.449.2', 'https://eu.i.posthog.com/i/v0/e/?ver=1.449.2', ['POST']],
    ['/ingest/flags/?v=2', 'https://eu.i.posthog.com/flags/?v=2', ['POST']],
    [`/ingest/array/${KEY}/config`, `https://eu.i.posthog.com/array/${KEY}/config`, ['GET']],
    [`/ingest/array/${KEY}/config.js`, `https://eu.i.posthog.com/array/${KEY}/config.js`, ['GET']],
    ['/ingest/static/recorder.js?v=1.449.2', 'https://eu-assets.i.posthog.com/static/recorder.js?v=1.449.2', ['GET']],
    [
      '/ingest/static/exception-autocapture.js?v=1.449.2',
      'https://eu-assets.i.posthog.com/static/exception-autocapture.js?v=1.449.2',
      ['GET'],
    ],
    ['/ingest/static/1.449.2/surveys.js', 'https://eu-assets.i.posthog.com/static/1.449.2/surveys.js', ['GET']],
  ])('%s → %s', (from, url, methods) => {
    expect(upstreamFor(`http://app.test${from}`, hosts, KEY)).toEqual({ url, methods })
  })

  it.each([
    '/ingest',
    '/ingest/',
    '/ingestion/e/',
    '/ingest/e', // posthog-js always sends the trailing slash
    '/ingest/e/x',
    '/ingest/E/',
    '/ingest/batch/', // posthog-node's endpoint: the server talks to PostHog directly
    '/ingest/decide/', // retired by posthog-js before this version
    '/ingest/s/', // session recording: off in this template
    '/ingest/api/surveys/?token=phc_test_key',
    '/ingest/api/projects/1/events',
    '/ingest/array/phc_someone_else/config',
    '/ingest/array/phc_test_key/config.json',
    '/ingest/static/recorder.js.map',
    '/ingest/static/../api/x.js',
    '/ingest/static/%2e%2e/%2e%2e/api/x.js',
    '/ingest/static/..%2F..%2Fapi%2Fx.js',
    '/ingest/e%2F..%2F..%2Fapi%2Fx',
    '/ingest/%2e%2e/api/x',
    '/ingest/../api/x',
    '/ingest//evil.com/e/',
    '/ingest/static//evil.com/x.js',
    '/ingest/%2F%2Fevil.com/e/',
    '/ingest/@evil.com/e/',
    '/ingest/static/x.js%00',
    '/ingest/e/;jsessionid=1',
  ])('%s is not forwarded', (path) => {
    expect(upstreamFor(`http://app.test${path}`, hosts, KEY)).toBeUndefined()
  })
})

describe('forwardToPostHog', () => {
  let upstream: http.Server
  let local: { api: string; assets: string }
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = []
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
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
  beforeEach(() => {
    received.length = 0
  })
  const options = () => ({ key: KEY, hosts: local })

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
      options(),
    )
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('{"status":1}')
    expect(response.headers.get('set-cookie')).toBeNull()
    // Served from our origin with PostHog's type: never a page that runs.
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox")
    const [forwarded] = received.splice(0)
    expect(forwarded).toMatchObject({ url: '/e/?compression=gzip-js', body: 'batch-payload' })
    expect(forwarded!.headers).toMatchObject({ 'content-type': 'text/plain', 'user-agent': 'Mozilla/5.0 test' })
    for (const name of ['cookie', 'authorization', 'x-forwarded-for']) expect(forwarded!.headers[name]).toBeUndefined()
  })

  it('forwards a script GET to the assets host and remote config for its own token', async () => {
    expect(
      (await forwardToPostHog(new Request('http://app.test/ingest/static/recorder.js?v=1.449.2'), options())).status,
    ).toBe(200)
    expect((await forwardToPostHog(new Request(`http://app.test/ingest/array/${KEY}/config`), options())).status).toBe(
      200,
    )
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /static/recorder.js?v=1.449.2',
      `GET /array/${KEY}/config`,
    ])
  })

  it('does not exist without a key: 404 for every method and path, nothing read, nothing sent', async () => {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
      for (const path of ['/ingest/e/', '/ingest/static/recorder.js', '/ingest/anything']) {
        const hasBody = method !== 'GET' && method !== 'HEAD'
        const { body, seen, headers } = countedBody(5 * 1024 * 1024)
        const request = new Request(`http://app.test${path}`, {
          method,
          headers,
          ...(hasBody ? { body, duplex: 'half' } : {}),
        } as RequestInit)
        const response = await forwardToPostHog(request, { key: undefined, hosts: local })
        expect(response.status, `${method} ${path}`).toBe(404)
        expect(seen.bytes).toBe(0)
      }
    }
    expect(received).toEqual([])
  })

  it('answers 404 for a path posthog-js does not use, without reading the body or contacting PostHog', async () => {
    for (const path of [
      '/ingest/batch/',
      '/ingest/api/projects/1/events',
      '/ingest/s/',
      '/ingest//evil.com/e/',
      '/ingest/e%2F..%2F..%2Fapi',
      `/ingest/array/phc_other/config`,
    ]) {
      const { body, seen } = countedBody(5 * 1024 * 1024)
      const response = await forwardToPostHog(
        new Request(`http://app.test${path}`, { method: 'POST', body, duplex: 'half' } as RequestInit),
        options(),
      )
      expect(response.status, path).toBe(404)
      expect(response.headers.get('connection'), 'an unread body ends the connection').toBe('close')
      expect(seen.bytes, path).toBe(0)
    }
    expect(received).toEqual([])
  })

  it('answers 405 with Allow for a method the path does not take', async () => {
    const get = await forwardToPostHog(new Request('http://app.test/ingest/e/'), options())
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
    const { body, seen } = countedBody(1024)
    const post = await forwardToPostHog(
      new Request('http://app.test/ingest/static/recorder.js', { method: 'POST', body, duplex: 'half' } as RequestInit),
      options(),
    )
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET')
    expect(seen.bytes).toBe(0)
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) {
      expect(
        (await forwardToPostHog(new Request('http://app.test/ingest/flags/?v=2', { method }), options())).status,
        method,
      ).toBe(405)
    }
    expect(received).toEqual([])
  })

  it('refuses a declared Content-Length over about 1 MiB with 413 before reading a byte', async () => {
    // The cap is 1 MiB: a body declaring one byte more is refused unread, one declaring exactly that is forwarded.
    const justOver = countedBody(1024 * 1024 + 1, 1024 * 1024 + 1)
    const refused = await forwardToPostHog(
      new Request('http://app.test/ingest/e/', {
        method: 'POST',
        body: justOver.body,
        headers: justOver.headers,
        duplex: 'half',
      } as RequestInit),
      options(),
    )
    expect(refused.status).toBe(413)
    expect(justOver.seen.bytes).toBe(0)
    const atCap = countedBody(1024 * 1024, 1024 * 1024)
    const forwarded = await forwardToPostHog(
      new Request('http://app.test/ingest/e/', {
        method: 'POST',
        body: atCap.body,
        headers: atCap.headers,
        duplex: 'half',
      } as RequestInit),
      options(),
    )
    expect(forwarded.status).toBe(200)
    expect(received.splice(0).map((request) => request.body.length)).toEqual([1024 * 1024])
    const { body, seen, headers } = countedBody(20 * 1024 * 1024, 20 * 1024 * 1024)
    const response = await forwardToPostHog(
      new Request('http://app.test/ingest/e/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit),
      options(),
    )
    expect(response.status).toBe(413)
    expect(response.headers.get('connection')).toBe('close')
    expect(seen.bytes).toBe(0)
    expect(received).toEqual([])
  })

  it('refuses a body over the cap that did not declare it (or lied) after reading at most one chunk past it', async () => {
    for (const declared of [undefined, 100]) {
      const { body, seen, headers } = countedBody(20 * 1024 * 1024, declared)
      const response = await forwardToPostHog(
        new Request('http://app.test/ingest/e/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit),
        options(),
      )
      expect(response.status, `declared ${declared}`).toBe(413)
      expect(seen.bytes).toBeLessThanOrEqual(MAX_INGEST_BYTES + 64 * 1024)
    }
    // 1.5 MiB in one piece: more than any posthog-js request, refused.
    const big = await forwardToPostHog(
      new Request('http://app.test/ingest/e/', { method: 'POST', body: new Uint8Array(1.5 * 1024 * 1024) }),
      options(),
    )
    expect(big.status).toBe(413)
    expect(received).toEqual([])
  })

  it('answers 408 when the body does not arrive in time, and sends nothing', async () => {
    const stream = new ReadableStream({ pull: () => new Promise<void>(() => {}) }, { highWaterMark: 0 })
    const started = Date.now()
    const response = await forwardToPostHog(
      new Request('http://app.test/ingest/e/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
      { ...options(), bodyTimeoutMs: 200 },
    )
    expect(response.status).toBe(408)
    expect(Date.now() - started).toBeLessThan(2000)
    expect(received).toEqual([])
  })

  it('answers 502 when PostHog is unreachable', async () => {
    const down = await forwardToPostHog(new Request('http://app.test/ingest/e/', { method: 'POST', body: 'x' }), {
      key: KEY,
      hosts: { api: 'http://127.0.0.1:9', assets: 'http://127.0.0.1:9' },
    })
    expect(down.status).toBe(502)
  })
})
