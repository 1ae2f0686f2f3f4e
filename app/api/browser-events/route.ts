// The browser's telemetry beacon: Web Vitals always, errors and analytics calls under `next dev`
// (lib/browser-telemetry). Every method goes to the receiver, so a wrong one is a 405 with Allow.
import { getSession, requestClientSubject } from '@/lib/auth'
import { receiveBrowserEvents } from '@/lib/browser-telemetry'

export const dynamic = 'force-dynamic'

// The user comes from the session cookie, only when a vital is to be sent to PostHog; the
// client's address (for its budget of vitals) from the trusted proxy chain.
const receive = (request: Request) =>
  receiveBrowserEvents(request, {
    userId: async () => (await getSession())?.userId,
    client: () => requestClientSubject(request.headers),
  })
export {
  receive as GET,
  receive as HEAD,
  receive as POST,
  receive as PUT,
  receive as PATCH,
  receive as DELETE,
  receive as OPTIONS,
}
