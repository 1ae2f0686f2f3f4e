// Refreshing GitHub tokens in the jwt callback of the app's real Auth.js handlers, and in
// getSession(), on real databases: concurrent session reads share one refresh, the new token is
// stored, after a failure nobody tries again until the backoff has passed, and a signed-out
// session's cookie refreshes nothing. tests/support/fake-github.ts plays GitHub's token
// endpoint; github.com is never contacted.
import { and, eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '@/lib/db'
import { accounts } from '@/lib/db/schema'
import { SESSION_COOKIE, browserFor } from '../support/auth-browser'
import { routeGitHubTo, startFakeGitHub, type FakeGitHub } from '../support/fake-github'
import { createAfterQueue } from '../support/requests'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
  /** The Cookie header of the request getSession() reads. */
  cookie: '',
}))
// Only the handle: the rest of lib/db (rowsOf…) is the real thing.
vi.mock('@/lib/db', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db')>()),
  getDb: async () => current.db,
}))
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  after: (task: () => unknown) => current.after?.(task),
}))
// What Next gives a server component: the request's headers (auth() reads the cookie there).
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ host: 'localhost:3000', 'x-forwarded-proto': 'http', cookie: current.cookie }),
}))

const AUTH_SECRET = 'integration-test-secret-0123456789abcdef'
vi.stubEnv('AUTH_SECRET', AUTH_SECRET)
vi.stubEnv('AUTH_GITHUB_ID', 'test-client-id')
vi.stubEnv('AUTH_GITHUB_SECRET', 'test-client-secret')

const { handlers } = await import('@/lib/auth/nextauth')
const { registerUser } = await import('@/lib/auth/credentials')
const { REFRESH_BACKOFF_SECONDS } = await import('@/lib/auth/oauth-tokens')
const { endSession, startSession } = await import('@/lib/auth/live-sessions')
const { getSession } = await import('@/lib/auth/session')
const { encode } = await import('next-auth/jwt')

const PASSWORD = 'correct horse battery'
const Browser = browserFor(handlers, AUTH_SECRET)

describe.each(testDatabaseKinds())('Auth.js flows on $label', ({ create }) => {
  let database: TestDatabase
  let github: FakeGitHub
  const queue = createAfterQueue()
  let fetchSpy: ReturnType<typeof routeGitHubTo>

  beforeAll(async () => {
    database = await create()
    current.db = database.db
    current.after = queue.after
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

  async function newAccount(email = uniqueEmail()) {
    const result = await registerUser(
      database.db,
      { name: 'Ada Lovelace', email, password: PASSWORD },
      { ip: uniqueIp() },
    )
    if (!result.ok) throw new Error(`sign-up failed: ${JSON.stringify(result)}`)
    await queue.flush()
    return result.user
  }

  describe('GitHub', () => {
    describe('token refresh in the jwt callback', () => {
      /**
       * A signed-in GitHub user whose access token has expired, and a session cookie that says so
       * (as the cookie of any session would, some hours after sign-in), naming a live session.
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
        const sessionId = await startSession(database.db, user.id)
        const cookie = await encode({
          token: { sub: user.id, orgId: user.orgId, sessionId, oauth: { provider: 'github', expiresAt: expired } },
          secret: AUTH_SECRET,
          salt: SESSION_COOKIE,
        })
        const browserWithCookie = () => {
          const browser = new Browser(uniqueIp())
          browser.cookies.set(SESSION_COOKIE, cookie)
          return browser
        }
        const stored = async () =>
          (
            await database.db
              .select()
              .from(accounts)
              .where(and(eq(accounts.userId, user.id), eq(accounts.provider, 'github')))
          )[0]
        const refreshGrants = () =>
          github.grants.filter(
            (grant) => grant.get('grant_type') === 'refresh_token' && grant.get('refresh_token') === `ghr_${user.id}`,
          ).length
        /** getSession() in a server component of a request carrying the cookie. */
        const serverSession = () => {
          current.cookie = `${SESSION_COOKIE}=${cookie}`
          return getSession()
        }
        return { user, sessionId, browserWithCookie, serverSession, stored, refreshGrants }
      }

      // The jwt callback refreshed before anyone asked whether the session was live: a signed-out
      // copy of the cookie kept rotating its owner's GitHub tokens (found by an attacker review).
      it('a signed-out session’s cookie refreshes nothing, through Auth.js’s endpoint or getSession()', async () => {
        github.refresh = { fail: false, delayMs: 0, expiresIn: 3600 }
        const signedOut = await expiredGitHubSession()
        expect(await endSession(database.db, signedOut.sessionId)).toBe(true)
        const copy = signedOut.browserWithCookie()
        expect(await copy.session()).toBeNull()
        expect(copy.cookies.has(SESSION_COOKIE)).toBe(false)
        expect(await signedOut.serverSession()).toBeNull()
        expect(signedOut.refreshGrants()).toBe(0)
        expect((await signedOut.stored())?.access_token).toBe('gho_expired')

        // A live one through getSession() still refreshes, once it is known to be live.
        const live = await expiredGitHubSession()
        expect(await live.serverSession()).toMatchObject({ userId: live.user.id, role: 'owner' })
        expect(live.refreshGrants()).toBe(1)
        expect((await live.stored())?.refresh_token).toBe('ghr_rotated')
      })

      // getSession() cannot rewrite the cookie, so its expiry stays in the past for the rest of
      // the session (30 days): each request read the accounts table to find the stored token
      // fresh, a second query on every page of every GitHub user whose session was hours old.
      it('getSession() with a cookie whose token has expired reads the stored token once, not on every request', async () => {
        github.refresh = { fail: false, delayMs: 0, expiresIn: 3600 }
        const live = await expiredGitHubSession()
        expect(await live.serverSession()).toMatchObject({ userId: live.user.id })
        expect(live.refreshGrants()).toBe(1)

        const real = current.db!
        let selects = 0
        current.db = new Proxy(real, {
          get(target, name, receiver) {
            if (name === 'select') selects++
            return Reflect.get(target, name, receiver) as unknown
          },
        })
        try {
          for (let i = 0; i < 5; i++) expect(await live.serverSession()).toMatchObject({ userId: live.user.id })
        } finally {
          current.db = real
        }
        expect(selects).toBe(5) // the live-session check, and nothing else
        expect(live.refreshGrants()).toBe(1)
      })

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

      // Turbopack copies a server module into each chunk that imports it (the Auth.js route, the
      // pages, the actions), so a page render and a session read can run different copies of
      // lib/auth/oauth-tokens.ts at once. With the queue kept per copy, both refreshed the same
      // single-use GitHub refresh token, and one of them was bound to fail.
      it('two copies of the module, as two chunks hold it, share one refresh', async () => {
        github.refresh = { fail: false, delayMs: 200, expiresIn: 3600 }
        const session = await expiredGitHubSession()
        const first = await import('@/lib/auth/oauth-tokens')
        vi.resetModules()
        const second = await import('@/lib/auth/oauth-tokens')
        expect(second).not.toBe(first)
        const [a, b] = await Promise.all([
          first.refreshAccessToken(database.db, session.user.id, 'github'),
          second.refreshAccessToken(database.db, session.user.id, 'github'),
        ])
        expect(session.refreshGrants()).toBe(1)
        expect(a).toBe(b)
        expect((await session.stored())?.expires_at).toBe(a)
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
        expect(marked?.oauth).toMatchObject({
          provider: 'github',
          error: 'refresh_failed',
          retryAt: expect.any(Number),
        })
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
