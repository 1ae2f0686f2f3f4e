// Sign-in, sign-out and GitHub sign-up through the app's real Auth.js handlers
// (app/api/auth/[...nextauth] serves these), on real databases, each call inside a request
// context: what each flow writes to the audit log (exactly which rows, with the request's ID),
// which analytics events it sends, and how the jwt callback refreshes GitHub tokens.
//
// github.com is never contacted: a local HTTP server plays GitHub's OAuth and API endpoints,
// and the only thing replaced is the host of the process's fetch() calls to github.com.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { and, eq, sql } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '@/lib/db'
import { accounts, memberships, users } from '@/lib/db/schema'
import type { AnalyticsEvent } from '@/lib/analytics/adapter'
import { recordAnalyticsEvents } from '../support/analytics-events'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
}))
vi.mock('@/lib/db', () => ({ getDb: async () => current.db }))
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  after: (task: () => unknown) => current.after?.(task),
}))

const AUTH_SECRET = 'integration-test-secret-0123456789abcdef'
vi.stubEnv('AUTH_SECRET', AUTH_SECRET)
vi.stubEnv('AUTH_GITHUB_ID', 'test-client-id')
vi.stubEnv('AUTH_GITHUB_SECRET', 'test-client-secret')

const { handlers } = await import('@/lib/auth/nextauth')
const { registerUser } = await import('@/lib/auth/credentials')
const { REFRESH_BACKOFF_SECONDS } = await import('@/lib/auth/oauth-tokens')
const { encode, decode } = await import('next-auth/jwt')

const ORIGIN = 'http://localhost:3000'
const SESSION_COOKIE = 'authjs.session-token'
const PASSWORD = 'correct horse battery'

// --- A stand-in for GitHub: the OAuth token endpoint (code and refresh grants) and the user API.
type FakeGitHub = {
  url: string
  /** What the token endpoint received, in order. */
  grants: URLSearchParams[]
  /** The profile the user API returns next. */
  profile: Record<string, unknown>
  /** Answer to refresh grants: a fresh token, or an error after `delayMs`. */
  refresh: { fail: boolean; delayMs: number; expiresIn: number }
  close: () => Promise<void>
}

async function startFakeGitHub(): Promise<FakeGitHub> {
  const fake: Omit<FakeGitHub, 'url' | 'close'> = {
    grants: [],
    profile: {},
    refresh: { fail: false, delayMs: 0, expiresIn: 3600 },
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      const path = (req.url ?? '/').split('?')[0]
      if (req.method === 'POST' && path === '/login/oauth/access_token') {
        const grant = new URLSearchParams(body)
        fake.grants.push(grant)
        if (grant.get('grant_type') === 'refresh_token') {
          const { fail, delayMs, expiresIn } = fake.refresh
          setTimeout(() => {
            if (fail) json(400, { error: 'bad_refresh_token' })
            else json(200, { access_token: `gho_refreshed_${fake.grants.length}`, token_type: 'bearer', expires_in: expiresIn, refresh_token: 'ghr_rotated' })
          }, delayMs)
          return
        }
        json(200, { access_token: 'gho_first', token_type: 'bearer', scope: 'read:user,user:email' })
        return
      }
      if (req.method === 'GET' && path === '/user') return json(200, fake.profile)
      if (req.method === 'GET' && path === '/user/emails') return json(200, [])
      json(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(fake, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}

/** fetch(), except that requests to github.com and api.github.com go to the stand-in. */
function routeGitHubTo(fakeUrl: string) {
  const realFetch = globalThis.fetch
  return vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request ? request.url : String(input))
    if (url.hostname !== 'github.com' && url.hostname !== 'api.github.com') return realFetch(input, init)
    const target = `${fakeUrl}${url.pathname}${url.search}`
    return request ? realFetch(new Request(target, request), init) : realFetch(target, init)
  })
}

// --- Talking to the handlers the way a browser does: a cookie jar and Auth.js's CSRF token.
class Browser {
  readonly cookies = new Map<string, string>()
  constructor(readonly ip: string) {}

  async call(method: 'GET' | 'POST', path: string, form?: Record<string, string>): Promise<Response> {
    const headers = new Headers({ 'x-forwarded-for': this.ip })
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '))
    if (form) headers.set('content-type', 'application/x-www-form-urlencoded')
    const request = new Request(`${ORIGIN}${path}`, { method, headers, body: form ? new URLSearchParams(form) : undefined })
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
    return this.call('POST', '/api/auth/callback/credentials', { csrfToken, email, password, callbackUrl: `${ORIGIN}/customers` })
  }

  async signOut(): Promise<Response> {
    const csrfToken = await this.csrfToken()
    return this.call('POST', '/api/auth/signout', { csrfToken, callbackUrl: `${ORIGIN}/sign-in` })
  }

  /** "Continue with GitHub", GitHub approving at once, and the callback. */
  async signInWithGitHub(): Promise<Response> {
    const csrfToken = await this.csrfToken()
    const start = await this.call('POST', '/api/auth/signin/github', { csrfToken, callbackUrl: `${ORIGIN}/customers` })
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
    return value ? decode({ token: value, secret: AUTH_SECRET, salt: SESSION_COOKIE }) : null
  }
}

describe.each(testDatabaseKinds())('Auth.js flows on $label', ({ create }) => {
  let database: TestDatabase
  let github: FakeGitHub
  const queue = createAfterQueue()
  let events: AnalyticsEvent[] = []
  let fetchSpy: ReturnType<typeof routeGitHubTo>

  beforeAll(async () => {
    database = await create()
    current.db = database.db
    current.after = queue.after
    events = recordAnalyticsEvents()
    github = await startFakeGitHub()
    fetchSpy = routeGitHubTo(github.url)
  })
  afterAll(async () => {
    fetchSpy?.mockRestore()
    await github?.close()
    await database?.close()
  })
  afterEach(async () => {
    await queue.flush()
  })

  let counter = 0
  const uniqueEmail = () => `flow${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const uniqueIp = () => `192.0.2.${++counter % 250}`

  const auditRowsFor = async (requestId: string) =>
    rowsOf<{ action: string; org_id: string | null; actor_id: string | null; subject_id: string | null; metadata: Record<string, unknown> }>(
      await database.db.execute(sql`select action, org_id, actor_id, subject_id, metadata from audit_log where request_id = ${requestId} order by created_at, action desc`),
    )
  const eventsFor = (requestId: string) => events.filter((event) => event.properties.request_id === requestId)

  async function newAccount(email = uniqueEmail()) {
    const result = await registerUser(database.db, { name: 'Ada Lovelace', email, password: PASSWORD }, { ip: uniqueIp() })
    if (!result.ok) throw new Error(`sign-up failed: ${JSON.stringify(result)}`)
    await queue.flush()
    return result.user
  }

  it('a sign-up writes two rows, user.signed_up then user.signed_in, both with the request ID', async () => {
    // What signUpAction does: registerUser, then the credentials sign-in, in one request.
    const browser = new Browser(uniqueIp())
    const email = uniqueEmail()
    const { user, response } = await inRequest('req-flow-sign-up', async () => {
      const result = await registerUser(database.db, { name: 'Grace Hopper', email, password: PASSWORD }, { ip: browser.ip })
      if (!result.ok) throw new Error('sign-up failed')
      return { user: result.user, response: await browser.signInWithPassword(email, PASSWORD) }
    })
    expect(response.headers.get('location')).toBe(`${ORIGIN}/customers`)
    await queue.flush()
    expect(await auditRowsFor('req-flow-sign-up')).toEqual([
      { action: 'user.signed_up', org_id: user.orgId, actor_id: user.id, subject_id: user.id, metadata: { provider: 'credentials' } },
      { action: 'user.signed_in', org_id: user.orgId, actor_id: user.id, subject_id: user.id, metadata: { provider: 'credentials' } },
    ])
    expect(eventsFor('req-flow-sign-up').map((event) => [event.event, 'method' in event.properties && event.properties.method])).toEqual([
      ['signed_up', 'credentials'],
      ['signed_in', 'credentials'],
    ])
  })

  it('a sign-in writes exactly one user.signed_in row with the request ID, and sets a session', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    const response = await inRequest('req-flow-sign-in', () => browser.signInWithPassword(user.email, PASSWORD))
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`${ORIGIN}/customers`)
    await queue.flush()
    expect(await auditRowsFor('req-flow-sign-in')).toEqual([
      { action: 'user.signed_in', org_id: user.orgId, actor_id: user.id, subject_id: user.id, metadata: { provider: 'credentials' } },
    ])
    expect(await browser.session()).toMatchObject({ user: { id: user.id }, orgId: user.orgId })
  })

  it('a failed sign-in writes exactly one user.sign_in_failed row and no session', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    const response = await inRequest('req-flow-failed', () => browser.signInWithPassword(user.email, 'not the password'))
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('code')).toBe('invalid_credentials')
    await queue.flush()
    expect(await auditRowsFor('req-flow-failed')).toEqual([
      { action: 'user.sign_in_failed', org_id: user.orgId, actor_id: null, subject_id: user.id, metadata: { provider: 'credentials', reason: 'wrong_password' } },
    ])
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
  })

  it('after 10 failures a direct POST is sent to the sign-in page with the wait in the code', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    for (let i = 0; i < 10; i++) await browser.signInWithPassword(user.email, `wrong ${i}`)
    const response = await inRequest('req-flow-locked', () => browser.signInWithPassword(user.email, PASSWORD))
    const location = new URL(response.headers.get('location') ?? '')
    expect(location.pathname).toBe('/sign-in')
    expect(location.searchParams.get('code')).toBe('too_many_attempts_15m')
    await queue.flush()
    expect(await auditRowsFor('req-flow-locked')).toEqual([])
  }, 60_000)

  it('a sign-out writes exactly one user.signed_out row with the request ID, and ends the session', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    await browser.signInWithPassword(user.email, PASSWORD)
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true)
    const response = await inRequest('req-flow-sign-out', () => browser.signOut())
    expect(response.headers.get('location')).toBe(`${ORIGIN}/sign-in`)
    await queue.flush()
    expect(await auditRowsFor('req-flow-sign-out')).toEqual([
      { action: 'user.signed_out', org_id: user.orgId, actor_id: user.id, subject_id: user.id, metadata: {} },
    ])
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false)
  })

  describe('GitHub', () => {
    it('a first sign-in signs the user up: organization, user.signed_up and signed_up, then the sign-in', async () => {
      const email = uniqueEmail()
      github.profile = { id: 1000 + counter, login: 'octocat', name: 'Octo Cat', email, avatar_url: null }
      const browser = new Browser(uniqueIp())
      const response = await inRequest('req-github-first', () => browser.signInWithGitHub())
      expect(response.headers.get('location')).toBe(`${ORIGIN}/customers`)
      await queue.flush()

      const [user] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, email))
      const orgs = await database.db.select({ orgId: memberships.orgId, role: memberships.role }).from(memberships).where(eq(memberships.userId, user!.id))
      expect(orgs).toEqual([{ orgId: expect.any(String), role: 'owner' }])
      const orgId = orgs[0]!.orgId
      expect(await browser.session()).toMatchObject({ user: { id: user!.id }, orgId })

      expect(await auditRowsFor('req-github-first')).toEqual([
        { action: 'user.signed_up', org_id: orgId, actor_id: user!.id, subject_id: user!.id, metadata: { provider: 'github' } },
        { action: 'user.signed_in', org_id: orgId, actor_id: user!.id, subject_id: user!.id, metadata: { provider: 'github' } },
      ])
      const properties = { feature: 'auth', surface: 'github_oauth', method: 'github', org_id: orgId, request_id: 'req-github-first' }
      expect(eventsFor('req-github-first')).toEqual([
        { event: 'signed_up', properties, distinctId: user!.id },
        { event: 'signed_in', properties, distinctId: user!.id },
      ])
      // The code grant carried our client credentials; GitHub's tokens stay in the database.
      expect(github.grants.at(-1)?.get('code')).toBe('code-from-github')
      expect(JSON.stringify(events)).not.toContain('gho_first')

      // The next GitHub sign-in of the same person is a sign-in only.
      const again = new Browser(uniqueIp())
      await inRequest('req-github-again', () => again.signInWithGitHub())
      await queue.flush()
      expect((await auditRowsFor('req-github-again')).map((row) => row.action)).toEqual(['user.signed_in'])
      expect(eventsFor('req-github-again').map((event) => event.event)).toEqual(['signed_in'])
    })

    describe('token refresh in the jwt callback', () => {
      /**
       * A signed-in GitHub user whose access token has expired, and a session cookie that says so
       * (as the cookie of any session would, some hours after sign-in).
       */
      async function expiredGitHubSession() {
        const user = await newAccount()
        const expired = Math.floor(Date.now() / 1000) - 60
        await database.db.insert(accounts).values({
          userId: user.id,
          type: 'oauth',
          provider: 'github',
          providerAccountId: `gh-${user.id}`,
          access_token: 'gho_expired',
          refresh_token: `ghr_${user.id}`,
          expires_at: expired,
        })
        const cookie = await encode({
          token: { sub: user.id, orgId: user.orgId, oauth: { provider: 'github', expiresAt: expired } },
          secret: AUTH_SECRET,
          salt: SESSION_COOKIE,
        })
        const browserWithCookie = () => {
          const browser = new Browser(uniqueIp())
          browser.cookies.set(SESSION_COOKIE, cookie)
          return browser
        }
        const stored = async () =>
          (await database.db.select().from(accounts).where(and(eq(accounts.userId, user.id), eq(accounts.provider, 'github'))))[0]
        const refreshGrants = () => github.grants.filter((grant) => grant.get('grant_type') === 'refresh_token' && grant.get('refresh_token') === `ghr_${user.id}`).length
        return { user, browserWithCookie, stored, refreshGrants }
      }

      it('50 concurrent session reads share one refresh, and the new token is stored', async () => {
        github.refresh = { fail: false, delayMs: 200, expiresIn: 3600 }
        const session = await expiredGitHubSession()
        const browsers = Array.from({ length: 50 }, session.browserWithCookie)
        const sessions = await Promise.all(browsers.map((browser) => browser.session()))
        expect(sessions.every((s) => s?.user?.id === session.user.id)).toBe(true)
        expect(session.refreshGrants()).toBe(1)
        const account = await session.stored()
        expect(account?.refresh_token).toBe('ghr_rotated')
        expect(account?.access_token).toMatch(/^gho_refreshed_/)
        // Every rewritten cookie carries the new expiry (and no error).
        const token = await browsers[0]!.token()
        expect(token?.oauth).toEqual({ provider: 'github', expiresAt: account?.expires_at })
      })

      it('after a failure nobody refreshes again until the backoff has passed, then one call tries', async () => {
        github.refresh = { fail: true, delayMs: 100, expiresIn: 3600 }
        const session = await expiredGitHubSession()

        // Concurrent calls: one refresh, every caller sees the failure; the session stays valid.
        const first = Array.from({ length: 20 }, session.browserWithCookie)
        const sessions = await Promise.all(first.map((browser) => browser.session()))
        expect(sessions.every((s) => s?.user?.id === session.user.id)).toBe(true)
        expect(session.refreshGrants()).toBe(1)
        const marked = await first[0]!.token()
        expect(marked?.oauth).toMatchObject({ provider: 'github', error: 'refresh_failed', retryAt: expect.any(Number) })
        expect(marked!.oauth!.retryAt! - Date.now() / 1000).toBeGreaterThan(REFRESH_BACKOFF_SECONDS - 10)

        // Later calls within the backoff do not refresh: neither those whose cookie was rewritten
        // with the failure, nor those still sending the old cookie (a server component cannot
        // rewrite it, so only the process remembers).
        github.refresh = { fail: false, delayMs: 0, expiresIn: 3600 }
        await first[0]!.session()
        await Promise.all(Array.from({ length: 10 }, () => session.browserWithCookie().session()))
        expect(session.refreshGrants()).toBe(1)

        // Once the backoff has passed, the next call tries again (and now succeeds).
        const realNow = Date.now
        const later = realNow() + (REFRESH_BACKOFF_SECONDS + 1) * 1000
        const clock = vi.spyOn(Date, 'now').mockImplementation(() => later)
        try {
          await Promise.all([first[0]!.session(), session.browserWithCookie().session()])
        } finally {
          clock.mockRestore()
        }
        expect(session.refreshGrants()).toBe(2)
        expect((await session.stored())?.refresh_token).toBe('ghr_rotated')
      })
    })
  })
})
