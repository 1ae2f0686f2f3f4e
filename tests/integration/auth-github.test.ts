// GitHub sign-in through the app's real Auth.js handlers, on real databases: a first sign-in
// signs the user up (organization, audit rows, analytics events), a later one only signs in.
// github.com is never contacted: tests/support/fake-github.ts plays GitHub's OAuth and API
// endpoints, and the only thing replaced is the host of the process's fetch() calls to github.com.
import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AnalyticsEvent } from '@/lib/analytics/adapter'
import { recordAnalyticsEvents } from '../support/analytics-events'
import type { Database } from '@/lib/db'
import { memberships, users } from '@/lib/db/schema'
import { auditRowsOf } from '../support/audit-rows'
import { ORIGIN, browserFor } from '../support/auth-browser'
import { routeGitHubTo, startFakeGitHub, type FakeGitHub } from '../support/fake-github'
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

const Browser = browserFor(handlers, AUTH_SECRET)

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

  const auditRowsFor = (requestId: string) => auditRowsOf(database.db, requestId)
  const eventsFor = (requestId: string) => events.filter((event) => event.properties.request_id === requestId)

  describe('GitHub', () => {
    it('a first sign-in signs the user up: organization, user.signed_up and signed_up, then the sign-in', async () => {
      const email = uniqueEmail()
      github.profile = { id: 1000 + counter, login: 'octocat', name: 'Octo Cat', email, avatar_url: null }
      const browser = new Browser(uniqueIp())
      const response = await inRequest('req-github-first', () => browser.signInWithGitHub())
      expect(response.headers.get('location')).toBe(`${ORIGIN}/customers`)
      await queue.flush()

      const [user] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, email))
      const orgs = await database.db
        .select({ orgId: memberships.orgId, role: memberships.role })
        .from(memberships)
        .where(eq(memberships.userId, user!.id))
      expect(orgs).toEqual([{ orgId: expect.any(String), role: 'owner' }])
      const orgId = orgs[0]!.orgId
      expect(await browser.session()).toMatchObject({ user: { id: user!.id }, orgId })

      expect(await auditRowsFor('req-github-first')).toEqual([
        {
          action: 'user.signed_up',
          org_id: orgId,
          actor_id: user!.id,
          subject_id: user!.id,
          metadata: { provider: 'github' },
        },
        {
          action: 'user.signed_in',
          org_id: orgId,
          actor_id: user!.id,
          subject_id: user!.id,
          metadata: { provider: 'github' },
        },
      ])
      const properties = {
        feature: 'auth',
        surface: 'github_oauth',
        method: 'github',
        org_id: orgId,
        request_id: 'req-github-first',
      }
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

    // Auth.js links an OAuth account to whoever the session cookie names, reading only the
    // cookie (not the live session): a copy of it, even after sign-out, let an attacker attach
    // their own GitHub account to the victim and sign in as the victim from then on.
    it('a callback carrying another person’s session cookie (signed out, or still live) links nothing to them', async () => {
      github.profile = { id: 5000 + counter, login: 'victim', name: 'Victim', email: uniqueEmail(), avatar_url: null }
      const victim = new Browser(uniqueIp())
      await victim.signInWithGitHub()
      const victimId = (await victim.token())?.sub
      expect(victimId).toBeTruthy()
      const copied = new Map(victim.cookies)
      await victim.signOut()
      const live = new Browser(uniqueIp())
      await live.signInWithGitHub() // the victim again, elsewhere: a cookie still live

      for (const stolen of [copied, live.cookies]) {
        const attacker = new Browser(uniqueIp())
        for (const [name, value] of stolen) attacker.cookies.set(name, value)
        const attackerEmail = uniqueEmail()
        github.profile = {
          id: 6000 + counter,
          login: 'mallory',
          name: 'Mallory',
          email: attackerEmail,
          avatar_url: null,
        }
        await attacker.signInWithGitHub()
        const later = new Browser(uniqueIp())
        await later.signInWithGitHub()
        expect((await later.token())?.sub).not.toBe(victimId)
        // The attacker's GitHub account is an account of its own, not a way into the victim's.
        const [own] = await database.db.select({ id: users.id }).from(users).where(eq(users.email, attackerEmail))
        expect(own?.id).toBeTruthy()
        expect((await attacker.token())?.sub).toBe(own!.id)
        expect((await later.token())?.sub).toBe(own!.id)
      }
      await queue.flush()
    })
  })
})
