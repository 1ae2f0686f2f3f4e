import { NextRequest } from 'next/server'
import { describe, expect, it } from 'vitest'
import { withRequestOrigin } from '@/lib/auth/request-origin'

// What a self-hosted `next start` hands a route handler: its own internal URL, whatever the Host.
const internal = (headers: Record<string, string>, method = 'GET') =>
  new NextRequest('http://localhost:3000/api/auth/callback/github?code=c&state=s', {
    method,
    headers,
    ...(method === 'POST' ? { body: 'a=b' } : {}),
  })

describe('withRequestOrigin', () => {
  it('behind a trusted proxy, gives Auth.js the origin the browser used, path and query kept', () => {
    const request = withRequestOrigin(
      internal({ host: 'localhost:3000', 'x-forwarded-host': 'app.example.com', 'x-forwarded-proto': 'https' }),
      {
        hostTrusted: true,
        authUrl: undefined,
      },
    )
    expect(request.url).toBe('https://app.example.com/api/auth/callback/github?code=c&state=s')
  })

  it('keeps a POST body', async () => {
    const request = withRequestOrigin(internal({ host: 'app.example.com' }, 'POST'), {
      hostTrusted: true,
      authUrl: undefined,
    })
    expect(request.url).toBe('http://app.example.com/api/auth/callback/github?code=c&state=s')
    expect(await request.text()).toBe('a=b')
  })

  it('leaves the request alone when the host is not trusted, or AUTH_URL pins the origin (next-auth applies it)', () => {
    const forged = internal({ host: 'evil.example', 'x-forwarded-host': 'evil.example' })
    expect(withRequestOrigin(forged, { hostTrusted: false, authUrl: undefined })).toBe(forged)
    expect(withRequestOrigin(forged, { hostTrusted: true, authUrl: 'https://app.example.com' })).toBe(forged)
  })

  it.each([
    ['a path in the host', { host: 'evil.example/x' }],
    ['credentials in the host', { host: 'user:pass@evil.example' }],
    ['an odd scheme', { host: 'app.example.com', 'x-forwarded-proto': 'javascript' }],
    ['no host at all', {}],
  ])('ignores %s', (_label, headers) => {
    const request = internal(headers as Record<string, string>)
    expect(withRequestOrigin(request, { hostTrusted: true, authUrl: undefined })).toBe(request)
  })
})
