import { describe, expect, it } from 'vitest'
import {
  authPageForAlias,
  hasSessionCookie,
  isProtectedPath,
  safeCallbackPath,
  signInPathFor,
} from '@/lib/auth/routing'
import { HOSTILE_CALLBACK_URLS, SAFE_CALLBACK_URLS } from '../support/hostile-redirects'

describe('safeCallbackPath', () => {
  it.each(SAFE_CALLBACK_URLS)('keeps the same-origin path %j as %j', (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected)
  })

  describe.each(Object.entries(HOSTILE_CALLBACK_URLS))('%s', (_kind, inputs) => {
    it.each(inputs)('replaces %j with the default', (input) => {
      expect(safeCallbackPath(input)).toBe('/customers')
    })
  })

  it('never returns what it would itself refuse (normalising is checked again)', () => {
    for (const input of Object.values(HOSTILE_CALLBACK_URLS).flat()) {
      const result = safeCallbackPath(input, '/fallback')
      expect(result === '/fallback' || safeCallbackPath(result, '/fallback') === result).toBe(true)
      expect(new URL(result, 'https://app.example').origin).toBe('https://app.example')
    }
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
    for (const path of ['/', '/sign-in', '/sign-up', '/api/customers', '/customersx', '/api/health'])
      expect(isProtectedPath(path)).toBe(false)
  })

  it('recognises Auth.js session cookies, chunked and secure ones included', () => {
    expect(hasSessionCookie(['authjs.session-token'])).toBe(true)
    expect(hasSessionCookie(['__Secure-authjs.session-token.0'])).toBe(true)
    expect(hasSessionCookie(['authjs.csrf-token', 'authjs.callback-url'])).toBe(false)
    expect(hasSessionCookie([])).toBe(false)
  })
})

describe('authPageForAlias', () => {
  it('sends the names people type to the auth pages, any case, one trailing slash allowed', () => {
    expect(authPageForAlias('/login')).toBe('/sign-in')
    expect(authPageForAlias('/LogIn/')).toBe('/sign-in')
    expect(authPageForAlias('/signup')).toBe('/sign-up')
    expect(authPageForAlias('/register/')).toBe('/sign-up')
  })

  it('leaves every other path alone', () => {
    for (const path of [
      '/',
      '/sign-in',
      '/login/more',
      '/login//',
      '/logins',
      '/x/login',
      '/constructor',
      '/__proto__',
    ])
      expect(authPageForAlias(path), path).toBeUndefined()
  })
})
