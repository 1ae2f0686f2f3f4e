// The session as app code sees it: who is signed in and which organization they act for.
import 'server-only'
import { redirect } from 'next/navigation'
import { cache } from 'react'
import { getDb } from '../db'
import { setRequestUser } from '../errors'
import { auth } from './nextauth'
import { liveSessionRole } from './live-sessions'
import type { Role } from './permissions'
import { signInPathFor } from './routing'

export type Session = { userId: string; orgId: string; role: Role; name: string | null; email: string | null }

/** What domain functions need to scope their reads and writes: IDs from the session only. */
export type Actor = Pick<Session, 'userId' | 'orgId' | 'role'>

/**
 * The signed-in user, or null. Reads the session row and the membership named in the token on
 * every request (a signed-out session's copied cookie and a removed member's cookie stop working
 * at once, a changed role applies at once), and tags the request's log lines with the user.
 * Cached per render, so a layout and a page share one lookup.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await auth()
  const userId = session?.user?.id
  const orgId = session?.orgId
  const sessionId = session?.sessionId
  // A token from before sessions were listed has no ID: it signs in again.
  if (!userId || !orgId || !sessionId) return null
  const role = await liveSessionRole(await getDb(), { userId, orgId, sessionId })
  if (!role) return null
  setRequestUser({ userId, orgId })
  return { userId, orgId, role, name: session.user?.name ?? null, email: session.user?.email ?? null }
})

/** For pages: the session, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireSession(returnTo: string): Promise<Session> {
  const session = await getSession()
  if (!session) redirect(signInPathFor(returnTo))
  return session
}
