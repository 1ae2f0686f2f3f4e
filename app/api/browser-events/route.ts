// The browser's telemetry beacon: Web Vitals always, errors and analytics calls under `next dev`
// (lib/browser-telemetry). Every method goes to the receiver, so a wrong one is a 405 with Allow.
import { getSession } from '@/lib/auth'
import { receiveBrowserEvents } from '@/lib/browser-telemetry'

export const dynamic = 'force-dynamic'

// The user comes from the session cookie, only when a vital is to be sent to PostHog.
const receive = (request: Request) =>
  receiveBrowserEvents(request, { userId: async () => (await getSession())?.userId })
export { receive as GET, receive as POST, receive as PUT, receive as PATCH, receive as DELETE }
