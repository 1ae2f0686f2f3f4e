// How failed sign-ins are limited, on real databases: 10 failures in 15 minutes per account
// and address, 30 per address (an IPv6 /64 counts as one), counted atomically in the database
// before the password is compared; refused attempts are not audited; a success or the passing
// window lets the user back in. And how many accounts one address may create: 20 in 15
// minutes. Driven through authenticate() and registerUser().
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { signInFailures } from '@/lib/db/schema'
import { EMAIL_MAX_LENGTH } from '@/lib/email-address'
import { auditRowsOf } from '../support/audit-rows'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'

const current = vi.hoisted(() => ({ after: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))

const { authenticate, registerUser } = await import('@/lib/auth/credentials')
const {
  MAX_FAILURES_PER_ACCOUNT_AND_IP,
  MAX_FAILURES_PER_IP,
  MAX_RECORDED_FAILURES_PER_ORG,
  MAX_SIGN_UPS_PER_IP,
  UNKNOWN_IP_KEY,
  keysFor,
  ipKeysFor,
  reserveFailedSignInRecord,
  reserveSignInAttempt,
  signUpKeysFor,
} = await import('@/lib/auth/rate-limit')
const { users } = await import('@/lib/db/schema')
const { logger } = await import('@/lib/logs/logger')

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

  /** Failures counted the way authenticate() counts them (the first tests below drive it for real). */
  const countFailure = async (keys: Parameters<typeof reserveSignInAttempt>[1]) =>
    expect(await reserveSignInAttempt(database.db, keys)).toMatchObject({ limited: false })

  const auditRowsFor = (requestId: string) => auditRowsOf(database.db, requestId)

  it('a stranger guessing from other addresses never locks the owner out of the right password', async () => {
    const user = await signUp()
    // More failures on this account than the old per-email lock allowed (10), from two
    // addresses: one guessing through authenticate(), one counted the way it counts.
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) {
      expect(
        await authenticate(database.db, { email: user.email, password: `guess ${i}`, ip: '198.51.100.101' }),
      ).toEqual({ ok: false, reason: 'invalid' })
    }
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++)
      await countFailure(keysFor({ email: user.email, ip: '2001:db8:1::1' }))
    for (const ip of ['198.51.100.101', '2001:db8:1::1']) {
      expect(await authenticate(database.db, { email: user.email, password: 'one more guess', ip })).toMatchObject({
        reason: 'rate_limited',
      })
    }
    expect(
      await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '203.0.113.250' }),
    ).toMatchObject({ ok: true })
  }, 120_000)

  it(`refuses one address after ${MAX_FAILURES_PER_ACCOUNT_AND_IP} failures on one account, the right password included, unaudited`, async () => {
    const user = await signUp()
    const ip = '198.51.100.40'
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP; i++) {
      expect(await authenticate(database.db, { email: user.email, password: `wrong ${i}`, ip })).toEqual({
        ok: false,
        reason: 'invalid',
      })
    }
    await queue.flush()
    const locked = await inRequest('req-locked', () =>
      authenticate(database.db, { email: user.email, password: PASSWORD, ip }),
    )
    expect(locked).toEqual({ ok: false, reason: 'rate_limited', retryAfterMinutes: 15 })
    // Refused attempts are logged, not audited (anyone could flood the trail with them).
    await queue.flush()
    expect(await auditRowsFor('req-locked')).toEqual([])
  }, 60_000)

  it('counts exactly 10 of 30 concurrent failed attempts; the other 20 are refused unchecked', async () => {
    const user = await signUp()
    const ip = '198.51.100.30'
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        authenticate(database.db, { email: user.email, password: `wrong ${i}`, ip }),
      ),
    )
    expect(results.filter((r) => r.ok === false && r.reason === 'invalid')).toHaveLength(
      MAX_FAILURES_PER_ACCOUNT_AND_IP,
    )
    expect(results.filter((r) => r.ok === false && r.reason === 'rate_limited')).toHaveLength(
      30 - MAX_FAILURES_PER_ACCOUNT_AND_IP,
    )
    for (const { key } of keysFor({ email: user.email, ip })) {
      expect(await database.db.$count(signInFailures, eq(signInFailures.key, key))).toBe(
        MAX_FAILURES_PER_ACCOUNT_AND_IP,
      )
    }
    // Only the 10 counted attempts compared a password, so only they were audited.
    await queue.flush()
    const failed = rowsOf<{ n: number }>(
      await database.db.execute(
        sql`select count(*)::int as n from audit_log where action = 'user.sign_in_failed' and subject_id = ${user.id}`,
      ),
    )
    expect(failed[0]?.n).toBe(MAX_FAILURES_PER_ACCOUNT_AND_IP)
  }, 120_000)

  it(`records at most ${MAX_RECORDED_FAILURES_PER_ORG} failed sign-ins per organization in the window, whatever the addresses, and locks nobody out`, async () => {
    // A guesser with many addresses who knows members' emails: each address stays under its own
    // limits, so without this cap every failure would add a row to the organization's trail.
    const user = await signUp()
    for (let i = 0; i < MAX_RECORDED_FAILURES_PER_ORG - 1; i++)
      expect(await reserveFailedSignInRecord(database.db, user.orgId)).toBe('record')
    const warnings = vi.spyOn(logger, 'warn')
    try {
      const guess = (requestId: string, ip: string) =>
        inRequest(requestId, () => authenticate(database.db, { email: user.email, password: 'a guess', ip }))
      expect(await guess('req-org-cap-last', '198.51.100.61')).toEqual({ ok: false, reason: 'invalid' })
      expect(await guess('req-org-cap-over', '198.51.100.62')).toEqual({ ok: false, reason: 'invalid' })
      await queue.flush()
      // The row that fills the cap says so; the one after it is logged instead of recorded.
      expect(await auditRowsFor('req-org-cap-last')).toMatchObject([
        {
          action: 'user.sign_in_failed',
          org_id: user.orgId,
          subject_id: user.id,
          metadata: { provider: 'credentials', reason: 'wrong_password', limit_reached: true },
        },
      ])
      expect(await auditRowsFor('req-org-cap-over')).toEqual([])
      const notRecorded = warnings.mock.calls.filter(([, message]) => message === 'sign_in_failure_not_recorded')
      expect(notRecorded).toEqual([[{ org_id: user.orgId, reason: 'wrong_password' }, 'sign_in_failure_not_recorded']])
      // Still counted against the guessing address like any failure.
      const [accountKey] = keysFor({ email: user.email, ip: '198.51.100.62' })
      expect(await database.db.$count(signInFailures, eq(signInFailures.key, accountKey!.key))).toBe(1)
    } finally {
      warnings.mockRestore()
    }
    // The owner signs in, and another organization's failures are still recorded.
    expect(
      await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '198.51.100.63' }),
    ).toMatchObject({ ok: true })
    const other = await signUp()
    await inRequest('req-org-cap-other', () =>
      authenticate(database.db, { email: other.email, password: 'a guess', ip: '198.51.100.64' }),
    )
    await queue.flush()
    expect(await auditRowsFor('req-org-cap-other')).toMatchObject([
      { action: 'user.sign_in_failed', org_id: other.orgId, metadata: { reason: 'wrong_password' } },
    ])
  }, 60_000)

  it('attempts whose IP is unknown share one per-IP limit', async () => {
    const user = await signUp()
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) await countFailure(ipKeysFor(undefined))
    expect(await authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip: undefined })).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await database.db.$count(signInFailures, eq(signInFailures.key, UNKNOWN_IP_KEY))).toBe(MAX_FAILURES_PER_IP)
    // Any email, the right password even: refused while the shared bucket is full…
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: undefined })).toMatchObject({
      reason: 'rate_limited',
    })
    expect(
      await registerUser(database.db, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip: undefined }),
    ).toMatchObject({
      ok: false,
      formError: expect.stringMatching(/^Too many attempts/),
    })
    // …and a request with an address is not affected.
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip: uniqueIp() })).toMatchObject({
      ok: true,
    })
    await database.db.delete(signInFailures).where(eq(signInFailures.key, UNKNOWN_IP_KEY))
  }, 60_000)

  it(`caps one address at ${MAX_FAILURES_PER_IP} failures whatever the accounts, and not other addresses`, async () => {
    const user = await signUp()
    const ip = '198.51.100.7'
    for (let i = 0; i < MAX_FAILURES_PER_IP - 1; i++) await countFailure(keysFor({ email: uniqueEmail(), ip }))
    expect(await authenticate(database.db, { email: uniqueEmail(), password: PASSWORD, ip })).toEqual({
      ok: false,
      reason: 'invalid',
    })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({
      reason: 'rate_limited',
    })
    expect(
      await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '198.51.100.8' }),
    ).toMatchObject({ ok: true })
    // Sign-up from a capped address is refused too (it would otherwise probe which emails exist).
    expect(await registerUser(database.db, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip })).toEqual({
      ok: false,
      formError: 'Too many attempts, try again in 15 minutes.',
    })
  }, 60_000)

  it('an IPv6 attacker cannot escape the limits by rotating addresses within its /64', async () => {
    const user = await signUp()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP - 1; i++)
      await countFailure(keysFor({ email: user.email, ip: `2001:db8:aa:bb::${i + 1}` }))
    expect(
      await authenticate(database.db, { email: user.email, password: 'wrong', ip: '2001:db8:aa:bb:1:2:3:4' }),
    ).toMatchObject({ reason: 'invalid' })
    expect(
      await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '2001:db8:aa:bb:ffff::1' }),
    ).toMatchObject({
      reason: 'rate_limited',
    })
    expect(
      await authenticate(database.db, { email: user.email, password: PASSWORD, ip: '2001:db8:aa:cc::1' }),
    ).toMatchObject({ ok: true })
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

  it(`lets one address create ${MAX_SIGN_UPS_PER_IP} accounts in the window, then refuses it and not others`, async () => {
    const ip = '198.51.100.40'
    const [failureKey, signUpKey] = signUpKeysFor(ip).map(({ key }) => key)
    const countOf = (key: string) => database.db.$count(signInFailures, eq(signInFailures.key, key!))
    const existing = await signUp(uniqueEmail(), '198.51.100.41')
    // "Already exists" creates no account: it counts as a failure (probing emails), not a sign-up.
    for (let i = 0; i < 3; i++)
      expect(
        await registerUser(database.db, { name: 'X', email: existing.email, password: PASSWORD }, { ip }),
      ).toMatchObject({ ok: false, fieldErrors: { email: [expect.stringMatching(/already exists/)] } })
    expect(await countOf(signUpKey!)).toBe(0)
    expect(await countOf(failureKey!)).toBe(3)

    for (let i = 0; i < MAX_SIGN_UPS_PER_IP; i++) await signUp(uniqueEmail(), ip)
    // Each account created keeps its sign-up count and gives its failure count back.
    expect(await countOf(signUpKey!)).toBe(MAX_SIGN_UPS_PER_IP)
    expect(await countOf(failureKey!)).toBe(3)

    const refusedEmail = uniqueEmail()
    expect(await registerUser(database.db, { name: 'X', email: refusedEmail, password: PASSWORD }, { ip })).toEqual({
      ok: false,
      formError: 'Too many attempts, try again in 15 minutes.',
    })
    expect(await database.db.$count(users, eq(users.email, refusedEmail))).toBe(0)
    expect(await countOf(signUpKey!)).toBe(MAX_SIGN_UPS_PER_IP) // a refusal counts nothing
    // Signing in from that address is not affected, and another address still signs up.
    expect(await authenticate(database.db, { email: existing.email, password: PASSWORD, ip })).toMatchObject({
      ok: true,
    })
    await signUp(uniqueEmail(), '198.51.100.42')
    // The window passes: the address may create accounts again.
    await database.db.execute(sql`update sign_in_failures set created_at = now() - interval '16 minutes'`)
    await signUp(uniqueEmail(), ip)
  }, 120_000)

  it('a sign-up whose email lookup fails gives back both its counts and reports the lookup’s error', async () => {
    const ip = '198.51.100.43'
    const countOf = (key: string) => database.db.$count(signInFailures, eq(signInFailures.key, key))
    // The database answers the limiter, then fails the lookup (a timeout, a reset connection).
    const failingLookup = new Proxy(database.db, {
      get: (target, property, receiver) =>
        property === 'select'
          ? () => {
              throw new Error('lookup failed')
            }
          : Reflect.get(target, property, receiver),
    })
    await expect(
      registerUser(failingLookup, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip }),
    ).rejects.toThrow('lookup failed')
    for (const { key } of signUpKeysFor(ip)) expect(await countOf(key)).toBe(0)
  })

  it('a sign-up whose insert fails keeps its sign-up count: a failing input buys no unlimited bcrypt work', async () => {
    const ip = '198.51.100.44'
    const [failureKey, signUpKey] = signUpKeysFor(ip).map(({ key }) => key)
    const countOf = (key: string) => database.db.$count(signInFailures, eq(signInFailures.key, key))
    // The limiter's transaction goes through; inserting the user fails (after the hash).
    type Transaction = Parameters<Parameters<typeof database.db.transaction>[0]>[0]
    const failingUserInsert = (tx: Transaction) =>
      new Proxy(tx, {
        get: (target, property, receiver) =>
          property === 'insert'
            ? (table: Parameters<Transaction['insert']>[0]) => {
                if (table === users) throw new Error('insert failed')
                return target.insert(table)
              }
            : Reflect.get(target, property, receiver),
      })
    const failingInsert = new Proxy(database.db, {
      get: (target, property, receiver) =>
        property === 'transaction'
          ? (run: (tx: Transaction) => Promise<unknown>) => target.transaction((tx) => run(failingUserInsert(tx)))
          : Reflect.get(target, property, receiver),
    })
    for (let i = 0; i < 2; i++)
      await expect(
        registerUser(failingInsert, { name: 'X', email: uniqueEmail(), password: PASSWORD }, { ip }),
      ).rejects.toThrow('insert failed')
    expect(await countOf(signUpKey!)).toBe(2)
    expect(await countOf(failureKey!)).toBe(0)
  }, 60_000)

  it(`an email over ${EMAIL_MAX_LENGTH} characters is a form error on sign-up and an unknown account on sign-in`, async () => {
    const ip = '198.51.100.45'
    const tooLong = `${'a'.repeat(EMAIL_MAX_LENGTH - 'example.com'.length)}@example.com` // 255 characters
    expect(await registerUser(database.db, { name: 'X', email: tooLong, password: PASSWORD }, { ip })).toEqual({
      ok: false,
      fieldErrors: { email: [`Use at most ${EMAIL_MAX_LENGTH} characters`] },
    })
    for (const { key } of signUpKeysFor(ip))
      expect(await database.db.$count(signInFailures, eq(signInFailures.key, key))).toBe(0)
    // The longest valid address still signs up: 64 characters before the @, labels of at most 63.
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`
    expect(longest).toHaveLength(EMAIL_MAX_LENGTH)
    expect(await registerUser(database.db, { name: 'X', email: longest, password: PASSWORD }, { ip })).toMatchObject({
      ok: true,
    })
    expect(
      await authenticate(database.db, { email: `${'b'.repeat(5000)}@example.com`, password: PASSWORD, ip }),
    ).toEqual({ ok: false, reason: 'invalid' })
  }, 60_000)

  it('a successful sign-in resets the account’s count from that address', async () => {
    const user = await signUp()
    const ip = uniqueIp()
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_IP - 1; i++) await countFailure(keysFor({ email: user.email, ip }))
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true })
    expect(await authenticate(database.db, { email: user.email, password: 'one typo', ip })).toMatchObject({
      reason: 'invalid',
    })
    expect(await authenticate(database.db, { email: user.email, password: PASSWORD, ip })).toMatchObject({ ok: true })
  }, 60_000)
})
