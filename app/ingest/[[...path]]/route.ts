// posthog-js's same-origin endpoint, forwarded to PostHog without the browser's cookies
// (lib/analytics/ingest.ts). Outside the proxy matcher, like /monitoring. Every method goes to
// the forwarder, so its checks keep their order: no key is a 404 whatever the method, and a
// wrong method on a known path is a 405 that names the right one (Next's own 405 does not).
import { forwardToPostHog } from '@/lib/analytics'

export const dynamic = 'force-dynamic'

const forward = (request: Request) => forwardToPostHog(request)
export {
  forward as GET,
  forward as HEAD,
  forward as POST,
  forward as PUT,
  forward as PATCH,
  forward as DELETE,
  forward as OPTIONS,
}
