// Email and password accounts on real databases: sign-up creates a user with a bcrypt hash and
// their own organization; sign-in answers one generic failure; failed attempts are limited per
// email and per IP (10 in 15 minutes) in the database, atomically; every outcome is audited,
// once, with the request's ID.
import bcrypt from 'bcryptjs'
import { eq, sql } from 'drizzle-orm'
import { PgPreparedQuery } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { memberships, signInFailures, users } from '@/lib/db/schema'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({ after: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))

const { authenticate, registerUser, retryAfterMinutesFromCode, tooManyAttemptsCode, tooManyAttemptsMessage, INVALID_CREDENTIALS_MESSAGE } = await import(
  '@/lib/auth/credentials'
)
const { ensureOrganization } = await import('@/lib/auth/organizations')
const { passwordSchema } = await import('@/lib/auth/password')
const { MAX_FAILURES_PER_ACCOUNT_AND_IP, MAX_FAILURES_PER_IP, UNKNOWN_IP_KEY, keysFor, ipKeysFor, reserveSignInAttempt } = await import(
  '@/lib/auth/rate-limit'
)
const { listAuditEvents } = await import('@/lib/audit')

const PASSWORD = 'correct horse battery'

describe('password rules', () => {
  it('needs at least 10 characters and at most 72 bytes (what bcrypt reads)', () => {
    expect(passwordSchema.safeParse('123456789').success).toBe(false)
    expect(passwordSchema.safeParse('1234567890').success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(72)).success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(73)).success).toBe(false)
    expect(passwordSchema.safeParse('é'.repeat(37)).success).toBe(false) // 74 bytes
  })

  it('says how many minutes to wait, in words a person reads', () => {
    expect(tooManyAttemptsMessage(15)).toBe('Too many attempts, try again in 15 minutes.')
    expect(tooManyAttemptsMessage(1)).toBe('Too many attempts, try again in 1 minute.')
    expect(INVALID_CREDENTIALS_MESSAGE).toBe('Email or password is incorrect.')
  })

  it('carries the wait through the sign-in page URL, held to the window whatever the URL says', () => {
    expect(tooManyAttemptsCode(4)).toBe('too_many_attempts_4m')
    expect(retryAfterMinutesFromCode(tooManyAttemptsCode(4))).toBe(4)
    expect(retryAfterMinutesFromCode('too_many_attempts_999m')).toBe(15)
    expect(retryAfterMinutesFromCode('too_many_attempts_0m')).toBe(1)
    expect(retryAfterMinutesFromCode('too_many_attempts')).toBe(15) // an older link: the whole window
    expect(retryAfterMinutesFromCode('invalid_credentials')).toBeUndefined()
    expect(retryAfterMinutesFromCode(['too_many_attempts_4m'])).toBeUndefined()
    expect(retryAfterMinutesFromCode(undefined)).toBeUndefined()
  })
})

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

  /** Failures counted the way authenticate() counts them (the tests above drive it for real). */
  const countFailure = async (keys: Parameters<typeof reserveSignInAttempt>[1]) => expect(await reserveSignInAttempt(database.db, keys)).toMatchObject({ limited: false })

  const auditRowsFor = async (requestId: string) =>
    rowsOf<{ action: string; org_id: string | null; actor_id: string | null; subject_id: string | null; metadata: Record<string, unknown> }>(
      await database.db.execute(sql`select action, org_id, actor_id, subject_id, metadata from audit_log where request_id = ${requestId}`),
    )

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
      { action: 'user.signed_up', org_id: user.orgId, actor_id: user.id, subject_id: user.id, metadata: { provider: 'credentials' } },
    ])
    const { entries } = await listAuditEvents(database.db, user.orgId)
    expect(entries.map((e) => [e.action, e.actorId, e.subjectId, e.requestId])).toEqual([['user.signed_up', user.id, user.id, 'req-sign-up']])
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
    const taken = await registerUser(database.db, { name: 'Other', email: email.toUpperCase(), password: PASSWORD }, { ip: uniqueIp() })
    expect(taken).toEqual({ ok: false, fieldErrors: { email: ['An account with this email already exists. Sign in instead.'] } })
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

  it('two concurrent sign-ups with one email: one account, one field error (the unique index decides)', async () => {
    const email = uniqueEmail()
    const results = await Promise.all(
      [1, 2].map(() => registerUser(database.db, { name: 'Twin', email, password: PASSWORD }, { ip: uniqueIp() })),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, fieldErrors: { email: ['An account with this email already exists. Sign in instead.'] } }])
    expect(await database.db.$count(users, eq(users.email, email))).toBe(1)
  })

  it('sign-in succeeds with the right password, in the user’s organization', async () => {
    const user = await signUp()
    const result = await authenticate(database.db, { email: user.email.toUpperCase(), password: PASSWORD, ip: uniqueIp() })
    expect(result).toEqual({ ok: true, user: { id: user.id, name: 'Ada Lovelace', email: user.email, orgId: user.orgId } })
  })

  it('an unknown email and a wrong password get the same answer, and both are audited', async () => {
    const user = await signUp()
    await queue.flush()
    const wrong = await inRequest('req-wrong-password', () =>
      authenticate(database.db, { email: user.email, password: 'not the password', ip: uniqueIp() }),
    )
    const unknown = await inRequest('req-unknown-email', () => authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip: uniqueIp() }))
    expect(wrong).toEqual({ ok: false, reason: 'invalid' })
    expect(unknown).toEqual(wrong)
    await queue.flush()

    // One row per attempt, each with its own request's ID.
    expect(await auditRowsFor('req-wrong-password')).toEqual([
      { action: 'user.sign_in_failed', org_id: user.orgId, actor_id: null, subject_id: user.id, metadata: { provider: 'credentials', reason: 'wrong_password' } },
    ])
    expect(await auditRowsFor('req-unknown-email')).toEqual([
      { action: 'user.sign_in_failed', org_id: null, actor_id: null, subject_id: null, metadata: { provider: 'credentials', reason: 'unknown_email' } },
    ])

    // The account's organization sees the failed attempt on its user; nobody's email is stored.
    const { entries } = await listAuditEvents(database.db, user.orgId)
    expect(entries[0]).toMatchObject({ action: 'user.sign_in_failed', actorId: null, subjectId: user.id, metadata: { reason: 'wrong_password' } })
    const orphan = rowsOf<{ metadata: Record<string, unknown> }>(
      await database.db.execute(sql`select metadata from audit_log where action = 'user.sign_in_failed' and org_id is null`),
    )
    expect(orphan.map((r) => r.metadata.reason)).toContain('unknown_email')
    const stored = rowsOf<{ key: string }>(await database.db.execute(sql`select key from sign_in_failures`))
    expect(stored.length).toBeGreaterThan(0)
    expect(stored.every((r) => /^(account_ip|ip):[0-9a-f]{64}$/.test(r.key) || r.key === UNKNOWN_IP_KEY)).toBe(true)
  })

  it('a wrong password and an unknown email run the same queries and one bcrypt comparison each', async () => {
    const user = await signUp()
    await queue.flush()
    // Every query of both drivers runs through this method (lib/db/tracing.ts wraps it too).
    const queries = vi.spyOn(PgPreparedQuery.prototype as unknown as { queryWithCache: (statement: string, ...rest: unknown[]) => Promise<unknown> }, 'queryWithCache')
    const compare = vi.spyOn(bcrypt, 'compare')
    const workOf = async (requestId: string, email: string) => {
      queries.mockClear()
      compare.mockClear()
      await inRequest(requestId, () => authenticate(database.db, { email, password: 'not the password', ip: uniqueIp() }))
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

  it('a stranger guessing from other addresses never locks the owner out of the right password', async () => {
    const user = await signUp()
    // More failures on this account than the old per-email lock allowed (10), from two
    // addresses: one guessing through authenticate(), one counted the way it counts.
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) {
      expect(await authenticate(database.db, { email: user.email, password: `guess ${i}`, ip: '198.51.100.101' })).toEqual({ ok: false, reason: 'invalid' })
    }
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) await countFailure(keysFor({ email: user.email, ip: '2001:db8:1::1' }))
    for (const ip of ['198.51.100.101', '2001:db8:1::1']) {
      expect(await authenticate(database.db, { email: user.email, password: 'one more guess', ip })).toMatchObject({ reason: 'rate_limited' })
    }
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '203.0.113.250' })).toMatchObject({ ok: true })
  }, 120_000)

  it(`refuses one address after ${MAX_FAILURES_PER_ACCOUNT_AND_IP} failures on one account, the right password included, unaudited`, async () => {
    const user = await signUp()
    const ip = '198.51.100.40'
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) {
      expect(await authenticate(database.db, { email: user.email, password: `wrong ${i}`, ip })).toEqual({ ok: false, reason: 'invalid' })
    }
    await queue.flush()
    const locked = await inRequest('req-locked', () => authenticate(database.db, { email: user.email, password: PASSWORD, ip }))
    expect(locked).toEqual({ ok: false, reason: 'rate_limited', retryAfterMinutes: 15 })
    // Refused attempts are logged, not audited (anyone could flood the trail with them).
    await queue.flush()
    expect(await auditRowsFor('req-locked')).toEqual([])
  }, 60_000)

  it('counts exactly 10 of 30 concurrent failed attempts; the other 20 are refused unchecked', async () => {
    const user = await signUp()
    const ip = '198.51.100.30'
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => authenticate(database.db, { email: user.email, password: `wrong ${i}`, ip })),
    )
    expect(results.filter((r) => r.ok === false && r.reason === 'invalid')).toHaveLength(MAX_FAILURES_PER_ACCOUNT_AND_IP)
    expect(results.filter((r) => r.ok === false && r.reason === 'rate_limited')).toHaveLength(30 - MAX_FAILURES_PER_ACCOUNT_AND_IP)
    for (const { key } of keysFor({ email: user.email, ip })) {
      expect(await database.db.$count(signInFailures, eq(signInFailures.key, key))).toBe(MAX_FAILURES_PER_ACCOUNT_AND_IP)
    }
    // Only the 10 counted attempts compared a password, so only they were audited.
    await queue.flush()
    const failed = rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from audit_log where action = 'user.sign_in_failed' and subject_id = ${user.id}`),
    )
    expect(failed[0]?.n).toBe(MAX_FAILURES_PER_ACCOUNT_AND_IP)
  }, 120_000)

  it('attempts whose IP is unknown share one per-IP limit', async () => {
    const user = await signUp()
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) await countFailure(ipKeysFor(undefined))
    expect(await authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip: undefined })).toEqual({ ok: false, reason: 'invalid' })
    expect(await database.db.$count(signInFailures, eq(signInFailures.key, UNKNOWN_IP_KEY))).toBe(MAX_FAILURES_PER_IP)
    // Any email, the right password even: refused while the shared bucket is full…
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: undefined })).toMatchObject({ reason: 'rate_limited' })
    expect(await registerUser(database.db, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip: undefined })).toMatchObject({
      ok: false,
      formError: expect.stringMatching(/^Too many attempts/),
    })
    // …and a request with an address is not affected.
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: uniqueIp() })).toMatchObject({ ok: true })
    await database.db.delete(signInFailures).where(eq(signInFailures.key, UNKNOWN_IP_KEY))
  }, 60_000)

  it(`caps one address at ${MAX_FAILURES_PER_IP} failures whatever the accounts, and not other addresses`, async () => {
    const user = await signUp()
    const ip = '198.51.100.7'
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) await countFailure(keysFor({ email: uniqueEmail(), ip }))
    expect(await authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip })).toEqual({ ok: false, reason: 'invalid' })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ reason: 'rate_limited' })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '198.51.100.8' })).toMatchObject({ ok: true })
    // Sign-up from a capped address is refused too (it would otherwise probe which emails exist).
    expect(await registerUser(database.db, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip })).toEqual({
      ok: false,
      formError: 'Too many attempts, try again in 15 minutes.',
    })
  }, 60_000)

  it('an IPv6 attacker cannot escape the limits by rotating addresses within its /64', async () => {
    const user = await signUp()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP - 1; i++) await countFailure(keysFor({ email: user.email, ip: `2001:db8:aa:bb::${i + 1}` }))
    expect(await authenticate(database.db, { email: user.email, password: 'wrong', ip: '2001:db8:aa:bb:1:2:3:4' })).toMatchObject({ reason: 'invalid' })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '2001:db8:aa:bb:ffff::1' })).toMatchObject({
      reason: 'rate_limited',
    })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '2001:db8:aa:cc::1' })).toMatchObject({ ok: true })
  }, 60_000)

  it('counts down as old failures leave the window, and lets the user back in after it', async () => {
    const user = await signUp()
    const ip = uniqueIp()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) await countFailure(keysFor({ email: user.email, ip }))
    // Pretend the failures happened 11 minutes ago: the oldest leaves the window in 4.
    await database.db.execute(sql`update sign_in_failures set created_at = now() - interval '11 minutes'`)
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterMinutes: 4,
    })
    await database.db.execute(sql`update sign_in_failures set created_at = now() - interval '16 minutes'`)
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true })
    // Expired failures are cleaned up as new ones are recorded.
    await authenticate(database.db, { email: user.email, password: 'wrong again', ip })
    const old = await database.db.$count(signInFailures, sql`created_at < now() - interval '15 minutes'`)
    expect(old).toBe(0)
  }, 60_000)

  it('a successful sign-in resets the account’s count from that address', async () => {
    const user = await signUp()
    const ip = uniqueIp()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP - 1; i++) await countFailure(keysFor({ email: user.email, ip }))
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true })
    expect(await authenticate(database.db, { email: user.email, password: 'one typo', ip })).toMatchObject({ reason: 'invalid' })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true })
  }, 60_000)

  it('a user without an organization (first OAuth sign-in) gets exactly one, even when asked concurrently', async () => {
    const [user] = await database.db.insert(users).values({ name: 'Octo Cat', email: uniqueEmail() }).returning({ id: users.id })
    const orgIds = await Promise.all(Array.from({ length: 5 }, () => ensureOrganization(database.db, user!.id)))
    expect(new Set(orgIds).size).toBe(1)
    expect(await database.db.$count(memberships, eq(memberships.userId, user!.id))).toBe(1)
  })
})
