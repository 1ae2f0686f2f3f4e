import { describe, expect, it } from 'vitest'
import { hasSessionCookie, isProtectedPath, safeCallbackPath, signInPathFor } from '@/lib/auth/routing'

describe('safeCallbackPath', () => {
  it.each([
    ['/customers', '/customers'],
    ['/customers?page=2#top', '/customers?page=2#top'],
    ['/activity', '/activity'],
    ['/%2F%2Fevil.com', '/%2F%2Fevil.com'], // an encoded slash is a path segment, not a host
  ])('keeps the same-origin path %s', (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected)
  })

  it.each([
    '//evil.com',
    '//evil.com/customers',
    'https://evil.com',
    'http://evil.com/customers',
    '/\\evil.com',
    '/\\/evil.com',
    '\\\\evil.com',
    'javascript:alert(1)',
    '/\tevil',
    ' /customers',
    'customers',
    '',
  ])('replaces %j with the default', (input) => {
    expect(safeCallbackPath(input)).toBe('/customers')
  })

  it('falls back for non-strings', () => {
    expect(safeCallbackPath(undefined)).toBe('/customers')
    expect(safeCallbackPath(['/activity'])).toBe('/customers')
    expect(safeCallbackPath(null, '/activity')).toBe('/activity')
  })
})

describe('sign-in routing', () => {
  it('builds the sign-in URL with an encoded callback', () => {
    expect(signInPathFor('/customers')).toBe('/sign-in?callbackUrl=%2Fcustomers')
    expect(signInPathFor('//evil.com')).toBe('/sign-in?callbackUrl=%2Fcustomers')
  })

  it('protects the app pages and nothing else', () => {
    for (const path of ['/customers', '/customers/123', '/activity']) expect(isProtectedPath(path)).toBe(true)
    for (const path of ['/', '/sign-in', '/sign-up', '/api/customers', '/customersx', '/api/health']) expect(isProtectedPath(path)).toBe(false)
  })

  it('recognises Auth.js session cookies, chunked and secure ones included', () => {
    expect(hasSessionCookie(['authjs.session-token'])).toBe(true)
    expect(hasSessionCookie(['__Secure-authjs.session-token.0'])).toBe(true)
    expect(hasSessionCookie(['authjs.csrf-token', 'authjs.callback-url'])).toBe(false)
    expect(hasSessionCookie([])).toBe(false)
  })
})
