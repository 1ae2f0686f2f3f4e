// Failed sign-in and sign-up limits, counted in the database so every server instance (and every
// serverless invocation) sees the same count:
//   - 10 failures in 15 minutes per account *and* address: a guesser is stopped, but a stranger
//     elsewhere cannot lock the owner out of the right password (a per-email lock would hand
//     anyone who knows an address a lock-out button);
//   - 30 failures in 15 minutes per address, whatever the accounts: one address cannot spray
//     guesses (or, through sign-up's "already exists", probe emails) across many accounts;
//   - 20 accounts created in 15 minutes per address: each costs a bcrypt hash, an organization
//     and its rows, so one address cannot create them in bulk (a successful sign-up keeps this
//     count, unlike a successful sign-in);
//   - 50 failed sign-ins recorded in 15 minutes per organization's audit trail: not a limit on
//     attempts but on rows (reserveFailedSignInRecord below).
// All key on the address lib/auth/client-ip.ts settles under TRUSTED_PROXY_HOPS, so a client
// cannot pick it with X-Forwarded-For.
//
// An attempt is counted *before* the password is checked, under a per-key lock: checking the
// count and then recording a failure after the (slow, bcrypt) comparison would let parallel
// attempts all pass the check and exceed the limit. A refused attempt costs no bcrypt hash. A
// successful attempt takes its count back.
import 'server-only'
import { createHash } from 'node:crypto'
import { inArray, lt, or, sql } from 'drizzle-orm'
import { signInFailures } from '../db/schema'
import { rowsOf, type Database } from '../db'
import { addressSubject, warnClientIpUnknown } from './client-ip'

export const MAX_FAILURES_PER_ACCOUNT_AND_IP = 10
export const MAX_FAILURES_PER_IP = 30
export const MAX_SIGN_UPS_PER_IP = 20
export const MAX_RECORDED_FAILURES_PER_ORG = 50
export const WINDOW_MINUTES = 15

/** A counter and its limit within the window. */
export type LimitKey = { key: string; max: number }

// A constant, inlined so both drivers see a plain interval literal rather than a typed parameter.
const WINDOW = sql.raw(`interval '${WINDOW_MINUTES} minutes'`)

const hash = (value: string) => createHash('sha256').update(value).digest('hex')

/**
 * Requests whose address the platform does not report share one key. On `next start` every
 * request has a socket peer, so this bucket holds only requests for which the trusted proxy
 * chain yields nothing usable: without it, they would get no per-IP limit at all. A deployment
 * whose proxy never reports addresses turns it into one limit for everyone; the
 * `client_ip_unknown` warning says so, and the fix is TRUSTED_PROXY_HOPS or the proxy's configuration.
 */
export const UNKNOWN_IP_KEY = 'ip:unknown'

function ipSubject(ip: string | undefined): string | undefined {
  if (ip) return addressSubject(ip)
  warnClientIpUnknown()
  return undefined
}

const ipKey = (subject: string | undefined): LimitKey => ({
  key: subject ? `ip:${hash(subject)}` : UNKNOWN_IP_KEY,
  max: MAX_FAILURES_PER_IP,
})

/** Hashed keys: the table never holds an email address or an IP address in clear. */
export function keysFor({ email, ip }: { email: string; ip: string | undefined }): LimitKey[] {
  const subject = ipSubject(ip)
  const account = `${email.trim().toLowerCase()}\n${subject ?? 'unknown'}`
  return [{ key: `account_ip:${hash(account)}`, max: MAX_FAILURES_PER_ACCOUNT_AND_IP }, ipKey(subject)]
}

export function ipKeysFor(ip: string | undefined): LimitKey[] {
  return [ipKey(ipSubject(ip))]
}

/**
 * A sign-up counts as a failure from its address (until it succeeds) and as an account created
 * (`sign_up_ip:` keys).
 */
export function signUpKeysFor(ip: string | undefined): [failures: LimitKey, signUps: LimitKey] {
  const subject = ipSubject(ip)
  return [ipKey(subject), { key: `sign_up_ip:${subject ? hash(subject) : 'unknown'}`, max: MAX_SIGN_UPS_PER_IP }]
}

/** Rows an allowed attempt added, one per key, each with the key it counts under. */
export type CountedRows = { rows: { id: string; key: string }[] }

/**
 * An attempt that was allowed and counted (with how many more the tightest of its keys allows in
 * the window), or a refusal saying how long until the oldest counted row of a limited key leaves
 * the window (whole minutes).
 */
export type AttemptReservation =
  ({ limited: false; remaining: number } & CountedRows) | { limited: true; retryAfterMinutes: number }

/** The part of an allowed attempt counted under `limit`. */
export function countedUnder({ rows }: CountedRows, limit: LimitKey): CountedRows {
  return { rows: rows.filter(({ key }) => key === limit.key) }
}

const idsOf = ({ rows }: CountedRows) => rows.map(({ id }) => id)

/**
 * Counts one attempt against every key unless one of them is already at its limit, in which
 * case nothing is counted. Atomic: a transaction takes a lock per key (advisory, in sorted
 * order, so two attempts sharing keys cannot deadlock) before it counts and inserts, so however
 * many attempts arrive at once, exactly `max` per key get through. Works alike on PostgreSQL
 * and PGlite.
 */
export async function reserveSignInAttempt(db: Database, keys: LimitKey[]): Promise<AttemptReservation> {
  const reservation = await countUnlessLimited(db, keys)
  // Forget failures older than the window; outside the transaction, so no lock waits on it.
  if (!reservation.limited) await db.delete(signInFailures).where(lt(signInFailures.createdAt, sql`now() - ${WINDOW}`))
  return reservation
}

/** reserveSignInAttempt's counting, without its clean-up of rows past the window. */
async function countUnlessLimited(db: Database, keys: LimitKey[]): Promise<AttemptReservation> {
  const unique = [...new Map(keys.map((limit) => [limit.key, limit])).values()].sort((a, b) =>
    a.key.localeCompare(b.key),
  )
  if (unique.length === 0) return { limited: false, remaining: Infinity, rows: [] }
  return db.transaction(async (tx): Promise<AttemptReservation> => {
    // These locks are a queue by design. The app role's lock_timeout (3 s, scripts/app-role.mjs)
    // is for a table a migration holds: here it turned a burst of attempts on one account into
    // "the database is not answering". statement_timeout (10 s) still bounds each wait.
    await tx.execute(sql`set local lock_timeout = 0`)
    for (const { key } of unique) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
    let retryAfterMinutes = 0
    let remaining = Infinity
    for (const { key, max } of unique) {
      // Each statement sees what the transactions that held the lock before committed.
      const result = await tx.execute(sql`
        select count(*)::int as failures,
               ceil(extract(epoch from (min(created_at) + ${WINDOW} - now())) / 60)::int as retry_minutes
        from (
          select created_at from ${signInFailures}
          where key = ${key} and created_at > now() - ${WINDOW}
          order by created_at desc
          limit ${max}
        ) recent`)
      const row = rowsOf<{ failures: number; retry_minutes: number | null }>(result)[0]
      const failures = row?.failures ?? 0
      if (failures >= max) retryAfterMinutes = Math.max(retryAfterMinutes, row?.retry_minutes ?? 1, 1)
      remaining = Math.min(remaining, max - failures - 1)
    }
    if (retryAfterMinutes > 0) return { limited: true, retryAfterMinutes }
    const rows = await tx
      .insert(signInFailures)
      .values(unique.map(({ key }) => ({ key })))
      .returning({ id: signInFailures.id, key: signInFailures.key })
    return { limited: false, remaining, rows }
  })
}

/**
 * Whether a failed sign-in gets its row in the audit trail. The attempt limits are per address,
 * so a guesser with many addresses who knows a member's email could otherwise add rows to that
 * organization's activity log without end and bury what its members did. So at most
 * MAX_RECORDED_FAILURES_PER_ORG failures per organization are recorded in the window (failures
 * for unknown emails, which belong to no organization, share one such count); `record_last`
 * marks the row that fills it, so the trail says that later ones are not in it. Past it a
 * failure is still counted and limited as before, and logged instead
 * (`sign_in_failure_not_recorded`). Keyed on the organization's ID, hashed like the table's
 * other keys.
 */
export async function reserveFailedSignInRecord(
  db: Database,
  orgId: string | null,
): Promise<'record' | 'record_last' | 'log_only'> {
  const key = `recorded_org:${hash(orgId ?? 'none')}`
  // Called after the attempt's own reservation, which has just forgotten the rows past the window.
  const reservation = await countUnlessLimited(db, [{ key, max: MAX_RECORDED_FAILURES_PER_ORG }])
  if (reservation.limited) return 'log_only'
  return reservation.remaining === 0 ? 'record_last' : 'record'
}

/** The attempt did not fail after all (valid input, a new account): it stops counting. */
export async function releaseSignInAttempt(db: Database, counted: CountedRows): Promise<void> {
  const ids = idsOf(counted)
  if (ids.length > 0) await db.delete(signInFailures).where(inArray(signInFailures.id, ids))
}

/**
 * After a successful sign-in: the attempt stops counting, and the account's count from this
 * address starts again (the address's failures on other accounts stay).
 */
export async function clearSignInFailures(db: Database, keys: LimitKey[], counted: CountedRows): Promise<void> {
  const accountKeys = keys.filter(({ key }) => key.startsWith('account_ip:')).map(({ key }) => key)
  const ids = idsOf(counted)
  const conditions = [
    ...(accountKeys.length > 0 ? [inArray(signInFailures.key, accountKeys)] : []),
    ...(ids.length > 0 ? [inArray(signInFailures.id, ids)] : []),
  ]
  if (conditions.length > 0) await db.delete(signInFailures).where(or(...conditions))
}
