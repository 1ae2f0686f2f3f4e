// Sign-up, sign-in and sign-out with a password through the app's real Auth.js handlers
// (app/api/auth/[...nextauth] serves these), on real databases, each call inside a request
// context: what each flow writes to the audit log (exactly which rows, with the request's ID)
// and which analytics events it sends. GitHub sign-in: auth-github.test.ts; refreshing GitHub
// tokens in the jwt callback: github-token-refresh.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AnalyticsEvent } from '@/lib/analytics/adapter'
import { recordAnalyticsEvents } from '../support/analytics-events'
import type { Database } from '@/lib/db'
import { auditRowsOf } from '../support/audit-rows'
import { ORIGIN, SESSION_COOKIE, browserFor } from '../support/auth-browser'
import { createAfterQueue, inRequest } from '../support/requests'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
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

const AUTH_SECRET = 'integration-test-secret-0123456789abcdef'
vi.stubEnv('AUTH_SECRET', AUTH_SECRET)
vi.stubEnv('AUTH_GITHUB_ID', 'test-client-id')
vi.stubEnv('AUTH_GITHUB_SECRET', 'test-client-secret')

const { handlers } = await import('@/lib/auth/nextauth')
const { registerUser } = await import('@/lib/auth/credentials')

const PASSWORD = 'correct horse battery'
const Browser = browserFor(handlers, AUTH_SECRET)

describe.each(testDatabaseKinds())('Auth.js flows on $label', ({ create }) => {
  let database: TestDatabase
  const queue = createAfterQueue()
  let events: AnalyticsEvent[] = []

  beforeAll(async () => {
    database = await create()
    current.db = database.db
    current.after = queue.after
    events = recordAnalyticsEvents()
  })
  afterAll(async () => {
    await database?.close()
  })
  afterEach(async () => {
    await queue.flush()
  })

  let counter = 0
  const uniqueEmail = () => `flow${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const uniqueIp = () => `192.0.2.${++counter % 250}`

  const auditRowsFor = (requestId: string) => auditRowsOf(database.db, requestId)
  const eventsFor = (requestId: string) => events.filter((event) => event.properties.request_id === requestId)

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

  it('a sign-up writes two rows, user.signed_up then user.signed_in, both with the request ID', async () => {
    // What signUpAction does: registerUser, then the credentials sign-in, in one request.
    const browser = new Browser(uniqueIp())
    const email = uniqueEmail()
    const { user, response } = await inRequest('req-flow-sign-up', async () => {
      const result = await registerUser(
        database.db,
        { name: 'Grace Hopper', email, password: PASSWORD },
        { ip: browser.ip },
      )
      if (!result.ok) throw new Error('sign-up failed')
      return { user: result.user, response: await browser.signInWithPassword(email, PASSWORD) }
    })
    expect(response.headers.get('location')).toBe(`${ORIGIN}/customers`)
    await queue.flush()
    expect(await auditRowsFor('req-flow-sign-up')).toEqual([
      {
        action: 'user.signed_up',
        org_id: user.orgId,
        actor_id: user.id,
        subject_id: user.id,
        metadata: { provider: 'credentials' },
      },
      {
        action: 'user.signed_in',
        org_id: user.orgId,
        actor_id: user.id,
        subject_id: user.id,
        metadata: { provider: 'credentials' },
      },
    ])
    expect(
      eventsFor('req-flow-sign-up').map((event) => [
        event.event,
        'method' in event.properties && event.properties.method,
      ]),
    ).toEqual([
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
      {
        action: 'user.signed_in',
        org_id: user.orgId,
        actor_id: user.id,
        subject_id: user.id,
        metadata: { provider: 'credentials' },
      },
    ])
    expect(await browser.session()).toMatchObject({ user: { id: user.id }, orgId: user.orgId })
  })

  it('a failed sign-in writes exactly one user.sign_in_failed row and no session', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    const response = await inRequest('req-flow-failed', () =>
      browser.signInWithPassword(user.email, 'not the password'),
    )
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('code')).toBe('invalid_credentials')
    await queue.flush()
    expect(await auditRowsFor('req-flow-failed')).toEqual([
      {
        action: 'user.sign_in_failed',
        org_id: user.orgId,
        actor_id: null,
        subject_id: user.id,
        metadata: { provider: 'credentials', reason: 'wrong_password' },
      },
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

  // A copy of the cookie outlives its session: signing out with it again (Auth.js asks only for a
  // CSRF token anyone can fetch) wrote another user.signed_out row naming its owner, each time.
  it('signing out again with a copy of an ended session records nothing', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    await browser.signInWithPassword(user.email, PASSWORD)
    const stolen = new Map(browser.cookies)
    await browser.signOut()
    for (const requestId of ['req-flow-replayed-sign-out-1', 'req-flow-replayed-sign-out-2']) {
      const copy = new Browser(uniqueIp())
      for (const [name, value] of stolen) copy.cookies.set(name, value)
      await inRequest(requestId, () => copy.signOut())
      await queue.flush()
      expect(await auditRowsFor(requestId)).toEqual([])
      expect(eventsFor(requestId)).toEqual([])
    }
  })

  /** The session cookie lines of a response: [value, whether it clears the cookie]. */
  const sessionCookiesSet = (response: Response) =>
    response.headers
      .getSetCookie()
      .filter((line) => line.startsWith(`${SESSION_COOKIE}=`))
      .map((line) => [line, /max-age=0|expires=thu, 01 jan 1970/i.test(line)] as const)

  // Auth.js's own session endpoint, which the app never calls: it decoded a signed-out copy of the
  // cookie and answered with its owner's name, email, user, organization and session IDs, and
  // re-issued the cookie with a fresh expiry (found by an attacker review).
  it('Auth.js’s session endpoint answers a live session without its ID, a signed-out copy as signed out', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    await browser.signInWithPassword(user.email, PASSWORD)
    const stolen = new Map(browser.cookies)

    const live = await browser.call('GET', '/api/auth/session')
    const answer = (await live.json()) as Record<string, unknown>
    expect(answer).toMatchObject({ user: { id: user.id, email: user.email }, orgId: user.orgId })
    expect(Object.keys(answer).sort()).toEqual(['expires', 'orgId', 'user'])
    expect(JSON.stringify(answer)).not.toContain(String((await browser.token())?.sessionId))
    expect(sessionCookiesSet(live).map(([, clears]) => clears)).toEqual([false]) // extended while live

    await browser.signOut()
    const copy = new Browser(uniqueIp())
    for (const [name, value] of stolen) copy.cookies.set(name, value)
    const dead = await copy.call('GET', '/api/auth/session')
    expect(dead.status).toBe(200)
    expect(await dead.json()).toBeNull()
    expect(sessionCookiesSet(dead).map(([, clears]) => clears)).toEqual([true]) // cleared, not extended
    expect(copy.cookies.has(SESSION_COOKIE)).toBe(false)
  })

  it('Auth.js’s session endpoint neither answers nor clears the cookie when the database cannot say', async () => {
    const user = await newAccount()
    const browser = new Browser(uniqueIp())
    await browser.signInWithPassword(user.email, PASSWORD)
    const cookie = browser.cookies.get(SESSION_COOKIE)
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    const real = current.db
    current.db = new Proxy(real!, {
      get: (target, key, receiver) =>
        key === 'select'
          ? () => {
              throw unreachable
            }
          : Reflect.get(target, key, receiver),
    })
    try {
      await expect(browser.call('GET', '/api/auth/session')).rejects.toBe(unreachable)
    } finally {
      current.db = real
    }
    expect(browser.cookies.get(SESSION_COOKIE)).toBe(cookie)
    expect(await browser.session()).toMatchObject({ user: { id: user.id } })
  })
})
