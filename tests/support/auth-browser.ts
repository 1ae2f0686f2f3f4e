// Talking to the app's Auth.js handlers (app/api/auth/[...nextauth]) the way a browser does: a
// cookie jar and Auth.js's CSRF token. The handlers are imported by each test file, after its
// mocks and environment are in place, and handed to `browserFor`.
import { decode } from 'next-auth/jwt'
import { expect } from 'vitest'

export const ORIGIN = 'http://localhost:3000'
export const SESSION_COOKIE = 'authjs.session-token'

type Handler = (request: never) => Promise<Response>

/** A Browser class that calls `handlers` and reads session cookies sealed with `secret`. */
export function browserFor(handlers: { GET: Handler; POST: Handler }, secret: string) {
  return class Browser {
    readonly cookies = new Map<string, string>()
    constructor(readonly ip: string) {}

    async call(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Response> {
      const headers = new Headers({ 'x-forwarded-for': this.ip })
      if (this.cookies.size > 0)
        headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '))
      if (form) headers.set('content-type', 'application/x-www-form-urlencoded')
      const request = new Request(`${ORIGIN}${path}`, {
        method,
        headers,
        body: form ? new URLSearchParams(form) : undefined,
      })
      const response = await (method === 'GET' ? handlers.GET : handlers.POST)(request as never)
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';')
        const name = pair.slice(0, pair.indexOf('='))
        const value = pair.slice(pair.indexOf('=') + 1)
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name)
        else this.cookies.set(name, value)
      }
      return response
    }

    async csrfToken(): Promise<string> {
      const { csrfToken } = (await (await this.call('GET', '/api/auth/csrf')).json()) as { csrfToken: string }
      return csrfToken
    }

    async signInWithPassword(email: string, password: string): Promise<Response> {
      const csrfToken = await this.csrfToken()
      return this.call('POST', '/api/auth/callback/credentials', {
        csrfToken,
        email,
        password,
        callbackUrl: `${ORIGIN}/customers`,
      })
    }

    async signOut(): Promise<Response> {
      const csrfToken = await this.csrfToken()
      return this.call('POST', '/api/auth/signout', { csrfToken, callbackUrl: `${ORIGIN}/sign-in` })
    }

    /** "Continue with GitHub", GitHub approving at once, and the callback. */
    async signInWithGitHub(): Promise<Response> {
      const csrfToken = await this.csrfToken()
      const start = await this.call('POST', '/api/auth/signin/github', {
        csrfToken,
        callbackUrl: `${ORIGIN}/customers`,
      })
      const authorize = new URL(start.headers.get('location') ?? '')
      expect(authorize.origin + authorize.pathname).toBe('https://github.com/login/oauth/authorize')
      const state = authorize.searchParams.get('state') ?? ''
      return this.call('GET', `/api/auth/callback/github?${new URLSearchParams({ code: 'code-from-github', state })}`)
    }

    async session(): Promise<{ user?: { id?: string }; orgId?: string } | null> {
      return (await this.call('GET', '/api/auth/session')).json()
    }

    async token() {
      const value = this.cookies.get(SESSION_COOKIE)
      return value ? decode({ token: value, secret, salt: SESSION_COOKIE }) : null
    }
  }
}
