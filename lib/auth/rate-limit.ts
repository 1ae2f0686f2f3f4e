// Failed sign-in limits: 10 failures per email and per IP address in 15 minutes. Counted in
// the database, so every server instance (and every serverless invocation) sees the same count.
//
// An attempt is counted *before* the password is checked, under a per-key lock: checking the
// count and then recording a failure after the (slow, bcrypt) comparison would let parallel
// attempts all pass the check and exceed the limit. A successful attempt takes its count back.
import 'server-only'
import { createHash } from 'node:crypto'
import { inArray, lt, or, sql } from 'drizzle-orm'
import type { Database } from '../db'
import { signInFailures } from '../db/schema'
import { rowsOf } from '../db/rows'
import { logger } from '../observability'

export const MAX_FAILURES = 10
export const WINDOW_MINUTES = 15

export type RateLimitKeys = { email: string; ip: string | undefined }

// A constant, inlined so both drivers see a plain interval literal rather than a typed parameter.
const WINDOW = sql.raw(`interval '${WINDOW_MINUTES} minutes'`)

const hash = (value: string) => createHash('sha256').update(value).digest('hex')

/**
 * Requests whose address the platform does not report share one key. On `next start` and on
 * Vercel every request has an address (Next fills `x-forwarded-for` from the socket), so this
 * bucket holds only requests something stripped it from: without it, they would get no per-IP
 * limit at all. A deployment whose proxy never reports addresses turns it into one limit for
 * everyone; the `client_ip_unknown` warning says so, and the fix is the proxy's configuration.
 */
export const UNKNOWN_IP_KEY = 'ip:unknown'

let warnedUnknownIp = false

function ipKey(ip: string | undefined): string {
  if (ip) return `ip:${hash(ip)}`
  if (!warnedUnknownIp) {
    warnedUnknownIp = true
    logger.warn({ key: UNKNOWN_IP_KEY }, 'client_ip_unknown')
  }
  return UNKNOWN_IP_KEY
}

/** Hashed keys: the table never holds an email address or an IP address in clear. */
export function keysFor({ email, ip }: RateLimitKeys): string[] {
  return [`email:${hash(email.trim().toLowerCase())}`, ipKey(ip)]
}

export function ipKeysFor(ip: string | undefined): string[] {
  return [ipKey(ip)]
}

/**
 * The client's address as the platform reports it: the first `x-forwarded-for` entry (Vercel
 * and most load balancers overwrite this header), else `x-real-ip`. A server exposed directly
 * to the internet receives whatever the client sends here, so the per-IP limit is only as good
 * as the proxy in front; the per-email limit does not depend on it.
 */
export function clientIpFrom(headers: Headers): string | undefined {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim()
  return forwarded || headers.get('x-real-ip')?.trim() || undefined
}

/**
 * An attempt that was allowed and counted (`ids`: its rows, one per key), or a refusal saying
 * how long until the oldest counted failure of a limited key leaves the window (whole minutes).
 */
export type AttemptReservation = { limited: false; ids: string[] } | { limited: true; retryAfterMinutes: number }

/**
 * Counts one attempt against every key unless one of them already has 10 in the window, in
 * which case nothing is counted. Atomic: a transaction takes a lock per key (advisory, in
 * sorted order, so two attempts sharing keys cannot deadlock) before it counts and inserts, so
 * however many attempts arrive at once, exactly 10 per key get through. Works alike on
 * PostgreSQL and PGlite.
 */
export async function reserveSignInAttempt(db: Database, keys: string[]): Promise<AttemptReservation> {
  const unique = [...new Set(keys)].sort()
  if (unique.length === 0) return { limited: false, ids: [] }
  const reservation = await db.transaction(async (tx): Promise<AttemptReservation> => {
    for (const key of unique) await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
    let retryAfterMinutes = 0
    for (const key of unique) {
      // Each statement sees what the transactions that held the lock before committed.
      const result = await tx.execute(sql`
        select count(*)::int as failures,
               ceil(extract(epoch from (min(created_at) + ${WINDOW} - now())) / 60)::int as retry_minutes
        from (
          select created_at from ${signInFailures}
          where key = ${key} and created_at > now() - ${WINDOW}
          order by created_at desc
          limit ${MAX_FAILURES}
        ) recent`)
      const row = rowsOf<{ failures: number; retry_minutes: number | null }>(result)[0]
      if (row && row.failures >= MAX_FAILURES) retryAfterMinutes = Math.max(retryAfterMinutes, row.retry_minutes ?? 1, 1)
    }
    if (retryAfterMinutes > 0) return { limited: true, retryAfterMinutes }
    const rows = await tx.insert(signInFailures).values(unique.map((key) => ({ key }))).returning({ id: signInFailures.id })
    return { limited: false, ids: rows.map((row) => row.id) }
  })
  // Forget failures older than the window; outside the transaction, so no lock waits on it.
  if (!reservation.limited) await db.delete(signInFailures).where(lt(signInFailures.createdAt, sql`now() - ${WINDOW}`))
  return reservation
}

/** The attempt did not fail after all (valid input, a new account): it stops counting. */
export async function releaseSignInAttempt(db: Database, reservation: { ids: string[] }): Promise<void> {
  if (reservation.ids.length > 0) await db.delete(signInFailures).where(inArray(signInFailures.id, reservation.ids))
}

/**
 * After a successful sign-in: the attempt stops counting, and the account's own count starts
 * again (the IP's earlier failures stay).
 */
export async function clearSignInFailures(db: Database, keys: string[], reservation: { ids: string[] }): Promise<void> {
  const emailKeys = keys.filter((key) => key.startsWith('email:'))
  const conditions = [
    ...(emailKeys.length > 0 ? [inArray(signInFailures.key, emailKeys)] : []),
    ...(reservation.ids.length > 0 ? [inArray(signInFailures.id, reservation.ids)] : []),
  ]
  if (conditions.length > 0) await db.delete(signInFailures).where(or(...conditions))
}
