// Same-origin tunnel for browser error events (lib/errors/tunnel.ts). Excluded
// from the proxy matcher; 404 when no DSN is configured. Every method goes to the tunnel, so
// its checks keep their order: no DSN is a 404 whatever the method, then anything but POST is
// a 405 with Allow.
import { env } from '@/lib/env'
import { forwardEnvelope, upstreamStateOf } from '@/lib/errors/tunnel'
import { getRequestLogger } from '@/lib/logs'
import { recordDependencyState } from '@/lib/metrics'

export const dynamic = 'force-dynamic'

async function tunnel(request: Request): Promise<Response> {
  const { response, outcome } = await forwardEnvelope(request, { dsn: env().NEXT_PUBLIC_SENTRY_DSN })
  // Recorded here, on the Node server: lib/errors is also loaded on the edge, where prom-client is not.
  const sentry = upstreamStateOf(outcome)
  if (sentry) recordDependencyState('sentry', sentry)
  if (!outcome.forwarded && outcome.status >= 500) {
    // Browser events are being lost: worth a look in business hours, not a page.
    const log = await getRequestLogger()
    log.warn({ kind: 'sentry_tunnel', status: outcome.status, reason: outcome.reason }, 'sentry_tunnel_failed')
  }
  return response
}

export {
  tunnel as GET,
  tunnel as HEAD,
  tunnel as POST,
  tunnel as PUT,
  tunnel as PATCH,
  tunnel as DELETE,
  tunnel as OPTIONS,
}
