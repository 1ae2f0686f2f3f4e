// Same-origin tunnel for browser error events (lib/observability/sentry-tunnel.ts). Excluded
// from the proxy matcher; 404 when no DSN is configured.
import { env } from '@/lib/env'
import { getRequestLogger } from '@/lib/observability'
import { forwardEnvelope } from '@/lib/observability/sentry-tunnel'

export const dynamic = 'force-dynamic'

export async function POST(request: Request): Promise<Response> {
  const { response, outcome } = await forwardEnvelope(request, { dsn: env().NEXT_PUBLIC_SENTRY_DSN })
  if (!outcome.forwarded && outcome.status >= 500) {
    // Browser events are being lost: worth a look in business hours, not a page.
    const log = await getRequestLogger()
    log.warn({ kind: 'sentry_tunnel', status: outcome.status, reason: outcome.reason }, 'sentry_tunnel_failed')
  }
  return response
}
