import { getSession } from '@/lib/auth'
import { requireDebugRoutes } from '@/lib/debug'

export const dynamic = 'force-dynamic'

// A server component that fails while rendering (DEBUG_ROUTES=1 only): shows the error page
// with its reference, and the matching error line in the logs. It reads the session first, as
// every app page does, so the check covers user scope: signed in, the event names the user.
export default async function DebugRenderErrorPage(): Promise<never> {
  requireDebugRoutes()
  await getSession()
  throw new Error('Planted render error from /debug/error')
}
