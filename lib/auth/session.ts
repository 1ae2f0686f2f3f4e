// The session as app code sees it: who is signed in and which organization they act for.
import 'server-only'
import { redirect } from 'next/navigation'
import { cache } from 'react'
import { getDb } from '../db'
import { setRequestUser } from '../observability'
import { auth } from './nextauth'
import { isMember } from './organizations'
import { signInPathFor } from './routing'

export type Session = { userId: string; orgId: string; name: string | null; email: string | null }

/** What domain functions need to scope their reads and writes: IDs from the session only. */
export type Actor = Pick<Session, 'userId' | 'orgId'>

/**
 * The signed-in user, or null. Checks that the membership in the token still exists (a
 * removed member's cookie stops working at once), and tags the request's log lines with the
 * user. Cached per render, so a layout and a page share one lookup.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await auth()
  const userId = session?.user?.id
  const orgId = session?.orgId
  if (!userId || !orgId) return null
  if (!(await isMember(await getDb(), userId, orgId))) return null
  setRequestUser({ userId, orgId })
  return { userId, orgId, name: session.user?.name ?? null, email: session.user?.email ?? null }
})

/** For pages: the session, or a redirect to sign-in that comes back to `returnTo`. */
export async function requireSession(returnTo: string): Promise<Session> {
  const session = await getSession()
  if (!session) redirect(signInPathFor(returnTo))
  return session
}
