import { describe, expect, it } from 'vitest'
import { echoingRequestId, requestContextStorage } from '@/lib/request'
import { config } from '@/proxy'

// Next anchors a matcher at both ends of the pathname (path-to-regexp with a custom group).
const proxied = (pathname: string) => config.matcher.some((matcher) => new RegExp(`^${matcher}$`).test(pathname))

describe('the proxy matcher', () => {
  it('runs the proxy for pages, API routes other than the probes, and unknown paths', () => {
    for (const path of [
      '/',
      '/customers',
      '/customers/3f2a',
      '/sign-in',
      '/api/customers',
      '/api/auth/session',
      '/api/healthz',
      '/api/health/more',
      '/api/readyz',
      '/monitoring-status',
      '/ingestion',
      '/no-such-page',
    ])
      expect(proxied(path), path).toBe(true)
  })

  it('skips static assets, the telemetry forwarders and exactly the three probes', () => {
    for (const path of [
      '/_next/static/chunks/app.js',
      '/favicon.ico',
      '/ingest/e/',
      '/monitoring',
      '/api/health',
      '/api/health/',
      '/api/ready',
      '/api/metrics',
    ])
      expect(proxied(path), path).toBe(false)
  })
})

describe('echoingRequestId (the probes outside the proxy)', () => {
  const handler = echoingRequestId(() => Response.json({ status: 'ok' }))

  it('adds nothing on the Node server, whose hook has echoed the ID already', async () => {
    const context = { requestId: 'from-the-hook', requestIdSource: 'client' as const, startedAt: 0 }
    const response = await requestContextStorage.run(context, () => handler())
    expect(response.headers.get('x-request-id')).toBeNull()
  })

  it('elsewhere gives the response an ID of its own', async () => {
    const response = await handler()
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await response.json()).toEqual({ status: 'ok' })
  })
})
