// Which sessions are still live. Auth.js keeps a session in an encrypted cookie (a JWT, which
// sign-in with email and password requires): signing out deleted the cookie in that browser,
// but a copy of it stayed valid until it expired. So each sign-in adds a row to `sessions` (the
// table Auth.js's adapter defines for database sessions, unused by JWT sessions) and puts the
// row's ID in the token; getSession() accepts a token only while its row is there and has not
// expired, and signing out deletes it.
import 'server-only'
import { randomBytes } from 'node:crypto'
import { and, eq, gt, lt } from 'drizzle-orm'
import type { Database } from '../db'
import { memberships, sessions } from '../db/schema'
import type { Role } from './permissions'

/**
 * How long a session lasts from its sign-in: Auth.js's default lifetime for the cookie, which it
 * extends as the cookie is used; the row is not extended, so a session ends 30 days after its
 * sign-in however much it is used (a person signs in again once a month).
 */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60

/** A new live session for `userId`; returns its ID, for the token. */
export async function startSession(db: Database, userId: string): Promise<string> {
  const id = randomBytes(32).toString('base64url')
  await db.insert(sessions).values({
    sessionToken: id,
    userId,
    expires: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
  })
  // This user's expired sessions go as a new one comes (sessions_user_id_idx).
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expires, new Date())))
  return id
}

/**
 * Signing out: the session's token stops working everywhere, copies included. Resolves to
 * whether a live session ended (false for a copy of one already signed out).
 */
export async function endSession(db: Database, sessionId: string | undefined): Promise<boolean> {
  if (!sessionId) return false
  const [ended] = await db
    .delete(sessions)
    .where(eq(sessions.sessionToken, sessionId))
    .returning({ expires: sessions.expires })
  return ended !== undefined && ended.expires > new Date()
}

/**
 * The user's role in the organization, while the session is live and the membership exists:
 * one query for both, on every request that reads the session.
 */
export async function liveSessionRole(
  db: Database,
  { userId, orgId, sessionId }: { userId: string; orgId: string; sessionId: string },
): Promise<Role | undefined> {
  const [row] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .innerJoin(sessions, eq(sessions.userId, memberships.userId))
    .where(
      and(
        eq(memberships.userId, userId),
        eq(memberships.orgId, orgId),
        eq(sessions.sessionToken, sessionId),
        gt(sessions.expires, new Date()),
      ),
    )
    .limit(1)
  return row?.role
}
