// The session as app code sees it: who is signed in and which organization they act for.
import 'server-only'
import { redirect } from 'next/navigation'
import { cache } from 'react'
import { getDb } from '../db'
import { setRequestUser } from '../errors'
import { auth } from './nextauth'
import { liveSessionRole } from './live-sessions'
import { refreshedOAuthState } from './oauth-tokens'
import type { Role } from './permissions'
import { signInPathFor } from './routing'

export type Session = { userId: string; orgId: string; role: Role; name: string | null; email: string | null }

/** What domain functions need to scope their reads and writes: IDs from the session only. */
export type Actor = Pick<Session, 'userId' | 'orgId' | 'role'>

/**
 * The signed-in user, or null. Reads the session row and the membership named in the token on
 * every request (a signed-out session's copied cookie and a removed member's cookie stop working
 * at once, a changed role applies at once), refreshes the provider's access token only then (a
 * dead cookie rotates no tokens), and tags the request's log lines with the user. Cached per
 * render, so a layout and a page share one lookup. On this path the jwt callback leaves the
 * check and the refresh to this function (lib/auth/nextauth.ts): call auth() nowhere else.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await auth()
  const userId = session?.user?.id
  const orgId = session?.orgId
  const sessionId = session?.sessionId
  // A token from before sessions were listed has no ID: it signs in again.
  if (!userId || !orgId || !sessionId) return null
  const db = await getDb()
  const role = await liveSessionRole(db, { userId, orgId, sessionId })
  if (!role) return null
  // A server component cannot rewrite the cookie, so the token's new state is not kept here:
  // the stored token and the process's backoff are what count (oauth-tokens.ts).
  if (session.oauth) await refreshedOAuthState(db, userId, session.oauth)
  setRequestUser({ userId, orgId })
  return { userId, orgId, role, name: session.user?.name ?? null, email: session.user?.email ?? null }
})

/** For pages: the session, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireSession(returnTo: string): Promise<Session> {
  const session = await getSession()
  if (!session) redirect(signInPathFor(returnTo))
  return session
}
