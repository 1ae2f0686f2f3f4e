// Email and password accounts on real databases: sign-up creates a user with a bcrypt hash and
// their own organization; sign-in answers one generic failure, with the same work whether or not
// the account exists; every outcome is audited, once, with the request's ID. How failed attempts
// are limited: sign-in-limits.test.ts; the password and message rules: password-rules.test.ts.
import bcrypt from 'bcryptjs'
import { eq, sql } from 'drizzle-orm'
import { PgPreparedQuery } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { memberships, users } from '@/lib/db/schema'
import { auditRowsOf } from '../support/audit-rows'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({ after: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))

const { authenticate, registerUser } = await import('@/lib/auth/credentials')
const { ensureOrganization } = await import('@/lib/auth/organizations')
const { UNKNOWN_IP_KEY } = await import('@/lib/auth/rate-limit')
const { listAuditEvents } = await import('@/lib/audit')

const PASSWORD = 'correct horse battery'

describe.each(testDatabaseKinds())('accounts on $label', ({ create }) => {
  let database: TestDatabase
  const queue = createAfterQueue()
  beforeAll(async () => {
    database = await create()
    current.after = queue.after
  })
  afterAll(async () => {
    await database?.close()
  })

  let counter = 0
  const uniqueEmail = () => `person${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const uniqueIp = () => `203.0.113.${++counter % 250}`

  async function signUp(email = uniqueEmail(), ip = uniqueIp()) {
    const result = await registerUser(database.db, { name: 'Ada Lovelace', email, password: PASSWORD }, { ip })
    if (!result.ok) throw new Error(`sign-up failed: ${JSON.stringify(result)}`)
    return result.user
  }

  const auditRowsFor = (requestId: string) => auditRowsOf(database.db, requestId)

  it('sign-up stores a bcrypt hash (never the password) and makes the user owner of a new organization', async () => {
    const user = await inRequest('req-sign-up', () => signUp('  Ada@Example.COM '))
    expect(user.email).toBe('ada@example.com')
    const [row] = await database.db.select().from(users).where(eq(users.id, user.id))
    expect(row?.passwordHash).toMatch(/^\$2[aby]\$12\$/)
    expect(row?.passwordHash).not.toContain(PASSWORD)
    const member = await database.db.select().from(memberships).where(eq(memberships.userId, user.id))
    expect(member).toEqual([expect.objectContaining({ orgId: user.orgId, role: 'owner' })])

    // Exactly one row, written after the response, carrying the request's ID. (The sign-in that
    // follows in signUpAction writes its own user.signed_in: tests/integration/auth-flows.test.ts.)
    expect(await auditRowsFor('req-sign-up')).toEqual([])
    await queue.flush()
    expect(await auditRowsFor('req-sign-up')).toEqual([
      {
        action: 'user.signed_up',
        org_id: user.orgId,
        actor_id: user.id,
        subject_id: user.id,
        metadata: { provider: 'credentials' },
      },
    ])
    const { entries } = await listAuditEvents(database.db, user.orgId)
    expect(entries.map((e) => [e.action, e.actorId, e.subjectId, e.requestId])).toEqual([
      ['user.signed_up', user.id, user.id, 'req-sign-up'],
    ])
  })

  it('a refused sign-up (field errors, email taken) writes no audit row', async () => {
    const email = uniqueEmail()
    await signUp(email)
    await queue.flush()
    await inRequest('req-sign-up-refused', async () => {
      await registerUser(database.db, { name: 'Other', email, password: PASSWORD }, { ip: uniqueIp() })
      await registerUser(database.db, { name: '', email: 'nope', password: 'short' }, { ip: uniqueIp() })
    })
    await queue.flush()
    expect(await auditRowsFor('req-sign-up-refused')).toEqual([])
  })

  it('sign-up answers field errors, including an email already registered (whatever its case)', async () => {
    const email = uniqueEmail()
    await signUp(email)
    const taken = await registerUser(
      database.db,
      { name: 'Other', email: email.toUpperCase(), password: PASSWORD },
      { ip: uniqueIp() },
    )
    expect(taken).toEqual({
      ok: false,
      fieldErrors: { email: ['An account with this email already exists. Sign in instead.'] },
    })
    const invalid = await registerUser(database.db, { name: '', email: 'nope', password: 'short' }, { ip: uniqueIp() })
    expect(invalid).toEqual({
      ok: false,
      fieldErrors: {
        name: ['Enter your name'],
        email: ['Enter a valid email address'],
        password: ['Use at least 10 characters'],
      },
    })
  })

  it('sign-up takes 64 characters before the @ and 63 in a domain label, and refuses one more of either', async () => {
    const local = (length: number) => `${'a'.repeat(length - 8)}${Math.random().toString(36).slice(2, 10)}`
    const attempt = (email: string) =>
      registerUser(database.db, { name: 'Ada', email, password: PASSWORD }, { ip: uniqueIp() })
    expect(await attempt(`${local(64)}@example.com`)).toMatchObject({ ok: true })
    expect(await attempt(`${local(65)}@example.com`)).toEqual({
      ok: false,
      fieldErrors: { email: ['The part before @ can be at most 64 characters'] },
    })
    expect(await attempt(`${local(20)}@${'b'.repeat(63)}.example`)).toMatchObject({ ok: true })
    expect(await attempt(`${local(20)}@${'b'.repeat(64)}.example`)).toEqual({
      ok: false,
      fieldErrors: { email: ['Each part of the domain between dots can be at most 63 characters'] },
    })
  }, 60_000)

  it('an account whose part before the @ is over 64 characters (made before that rule) still signs in', async () => {
    const email = `${'a'.repeat(65)}${Math.random().toString(36).slice(2, 8)}@example.com`
    const [user] = await database.db
      .insert(users)
      .values({ name: 'Early Adopter', email, passwordHash: await bcrypt.hash(PASSWORD, 4) })
      .returning({ id: users.id })
    expect(await authenticate(database.db, { email, password: PASSWORD, ip: uniqueIp() })).toMatchObject({
      ok: true,
      user: { id: user!.id, email },
    })
  })

  it('two concurrent sign-ups with one email: one account, one field error (the unique index decides)', async () => {
    const email = uniqueEmail()
    const results = await Promise.all(
      [1, 2].map(() => registerUser(database.db, { name: 'Twin', email, password: PASSWORD }, { ip: uniqueIp() })),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, fieldErrors: { email: ['An account with this email already exists. Sign in instead.'] } },
    ])
    expect(await database.db.$count(users, eq(users.email, email))).toBe(1)
  })

  it('sign-in succeeds with the right password, in the user’s organization', async () => {
    const user = await signUp()
    const result = await authenticate(database.db, {
      email: user.email.toUpperCase(),
      password: PASSWORD,
      ip: uniqueIp(),
    })
    expect(result).toEqual({
      ok: true,
      user: { id: user.id, name: 'Ada Lovelace', email: user.email, orgId: user.orgId },
    })
  })

  it('an unknown email and a wrong password get the same answer, and both are audited', async () => {
    const user = await signUp()
    await queue.flush()
    const wrong = await inRequest('req-wrong-password', () =>
      authenticate(database.db, { email: user.email, password: 'not the password', ip: uniqueIp() }),
    )
    const unknown = await inRequest('req-unknown-email', () =>
      authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip: uniqueIp() }),
    )
    expect(wrong).toEqual({ ok: false, reason: 'invalid' })
    expect(unknown).toEqual(wrong)
    await queue.flush()

    // One row per attempt, each with its own request's ID.
    expect(await auditRowsFor('req-wrong-password')).toEqual([
      {
        action: 'user.sign_in_failed',
        org_id: user.orgId,
        actor_id: null,
        subject_id: user.id,
        metadata: { provider: 'credentials', reason: 'wrong_password' },
      },
    ])
    expect(await auditRowsFor('req-unknown-email')).toEqual([
      {
        action: 'user.sign_in_failed',
        org_id: null,
        actor_id: null,
        subject_id: null,
        metadata: { provider: 'credentials', reason: 'unknown_email' },
      },
    ])

    // The account's organization sees the failed attempt on its user; nobody's email is stored.
    const { entries } = await listAuditEvents(database.db, user.orgId)
    expect(entries[0]).toMatchObject({
      action: 'user.sign_in_failed',
      actorId: null,
      subjectId: user.id,
      metadata: { reason: 'wrong_password' },
    })
    const orphan = rowsOf<{ metadata: Record<string, unknown> }>(
      await database.db.execute(
        sql`select metadata from audit_log where action = 'user.sign_in_failed' and org_id is null`,
      ),
    )
    expect(orphan.map((r) => r.metadata.reason)).toContain('unknown_email')
    const stored = rowsOf<{ key: string }>(await database.db.execute(sql`select key from sign_in_failures`))
    expect(stored.length).toBeGreaterThan(0)
    expect(
      stored.every(
        (r) => /^(account_ip|ip|sign_up_ip|recorded_org):[0-9a-f]{64}$/.test(r.key) || r.key === UNKNOWN_IP_KEY,
      ),
    ).toBe(true)
  })

  it('a wrong password and an unknown email run the same queries and one bcrypt comparison each', async () => {
    const user = await signUp()
    await queue.flush()
    // Every query of both drivers runs through this method (lib/db/tracing.ts wraps it too).
    const queries = vi.spyOn(
      PgPreparedQuery.prototype as unknown as {
        queryWithCache: (statement: string, ...rest: unknown[]) => Promise<unknown>
      },
      'queryWithCache',
    )
    const compare = vi.spyOn(bcrypt, 'compare')
    const workOf = async (requestId: string, email: string) => {
      queries.mockClear()
      compare.mockClear()
      await inRequest(requestId, () =>
        authenticate(database.db, { email, password: 'not the password', ip: uniqueIp() }),
      )
      await queue.flush() // the audit row is part of the work
      return { statements: queries.mock.calls.map(([statement]) => statement), comparisons: compare.mock.calls.length }
    }
    try {
      const wrong = await workOf('req-timing-wrong', user.email)
      const unknown = await workOf('req-timing-unknown', uniqueEmail())
      expect(wrong.comparisons).toBe(1)
      expect(unknown).toEqual(wrong)
      expect(wrong.statements.length).toBeGreaterThan(0)
    } finally {
      queries.mockRestore()
      compare.mockRestore()
    }
  })

  it('a user without an organization (first OAuth sign-in) gets exactly one, even when asked concurrently', async () => {
    const [user] = await database.db
      .insert(users)
      .values({ name: 'Octo Cat', email: uniqueEmail() })
      .returning({ id: users.id })
    const orgIds = await Promise.all(Array.from({ length: 5 }, () => ensureOrganization(database.db, user!.id)))
    expect(new Set(orgIds).size).toBe(1)
    expect(await database.db.$count(memberships, eq(memberships.userId, user!.id))).toBe(1)
  })
})
