// Failed sign-in limits: 10 failures per email and per IP address in 15 minutes. Counted in
// the database, so every server instance (and every serverless invocation) sees the same count.
import 'server-only'
import { createHash } from 'node:crypto'
import { inArray, lt, sql } from 'drizzle-orm'
import type { Database } from '../db'
import { signInFailures } from '../db/schema'
import { rowsOf } from '../db/rows'

export const MAX_FAILURES = 10
export const WINDOW_MINUTES = 15

export type RateLimitKeys = { email: string; ip: string | undefined }

// A constant, inlined so both drivers see a plain interval literal rather than a typed parameter.
const WINDOW = sql.raw(`interval '${WINDOW_MINUTES} minutes'`)

const hash = (value: string) => createHash('sha256').update(value).digest('hex')

/** Hashed keys: the table never holds an email address or an IP address in clear. */
export function keysFor({ email, ip }: RateLimitKeys): string[] {
  const keys = [`email:${hash(email.trim().toLowerCase())}`]
  if (ip) keys.push(`ip:${hash(ip)}`)
  return keys
}

export function ipKeysFor(ip: string | undefined): string[] {
  return ip ? [`ip:${hash(ip)}`] : []
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

export type LimitCheck = { limited: false } | { limited: true; retryAfterMinutes: number }

/**
 * Whether any of `keys` has reached the limit. When one has, the answer says how long until
 * its oldest counted failure leaves the window, rounded up to whole minutes.
 */
export async function checkSignInLimit(db: Database, keys: string[]): Promise<LimitCheck> {
  let retryAfterMinutes = 0
  for (const key of keys) {
    const result = await db.execute(sql`
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
  return retryAfterMinutes > 0 ? { limited: true, retryAfterMinutes } : { limited: false }
}

/** Counts one failure against each key, and forgets failures older than the window. */
export async function recordSignInFailure(db: Database, keys: string[]): Promise<void> {
  if (keys.length === 0) return
  await db.insert(signInFailures).values(keys.map((key) => ({ key })))
  await db.delete(signInFailures).where(lt(signInFailures.createdAt, sql`now() - ${WINDOW}`))
}

/** After a successful sign-in the account's own count starts again (the IP's does not). */
export async function clearSignInFailures(db: Database, keys: string[]): Promise<void> {
  const emailKeys = keys.filter((key) => key.startsWith('email:'))
  if (emailKeys.length > 0) await db.delete(signInFailures).where(inArray(signInFailures.key, emailKeys))
}
