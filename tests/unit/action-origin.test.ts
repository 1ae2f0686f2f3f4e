// Which POSTs the proxy refuses as cross-origin server actions (lib/security/action-origin.ts):
// Next's own CSRF rule, answered with 403 instead of Next's 500. Found by the bad-input
// fuzzing (tests/reliability/bad-input.test.ts).
import { describe, expect, it } from 'vitest'
import { isCrossOriginActionPost } from '@/lib/security'

const post = (headers: Record<string, string>, path = '/sign-up') =>
  isCrossOriginActionPost('POST', path, new Headers({ host: 'app.example', ...headers }))

describe('isCrossOriginActionPost', () => {
  it('lets same-origin posts through: Origin is the first X-Forwarded-Host, or Host without one', () => {
    expect(post({ origin: 'https://app.example' })).toBe(false)
    expect(post({ origin: 'https://public.example', 'x-forwarded-host': 'public.example, app.example' })).toBe(false)
  })

  it('lets a post without Origin through, as Next does (no browser omits it on a POST)', () => {
    expect(post({})).toBe(false)
  })

  it.each([
    ['another site', { origin: 'https://evil.example' }],
    ['another port', { origin: 'https://app.example:8443' }],
    [
      'an X-Forwarded-Host naming another host than Origin',
      { origin: 'https://app.example', 'x-forwarded-host': 'evil.example' },
    ],
    ['an opaque origin', { origin: 'null' }],
    ['not a URL', { origin: 'app.example' }],
    ['garbage', { origin: '\u00ff\u0001' }],
  ])('refuses %s', (_, headers) => {
    expect(post(headers)).toBe(true)
  })

  it('leaves other methods and the API routes (which check their own requests) alone', () => {
    expect(isCrossOriginActionPost('GET', '/sign-up', new Headers({ host: 'a', origin: 'https://evil.example' }))).toBe(
      false,
    )
    expect(post({ origin: 'https://evil.example' }, '/api/customers')).toBe(false)
  })
})
