// Prometheus scrape endpoint. See docs/observability.md (on Vercel, push OTLP metrics instead).
import { env, isProductionRuntime } from '@/lib/env'
import { exposition, scrapeDecision } from '@/lib/metrics'
import { echoingRequestId } from '@/lib/request'

export const dynamic = 'force-dynamic'

// Outside the proxy (proxy.ts): the ID is echoed here on platforms without the Node hook.
export const GET = echoingRequestId(async (request: Request) => {
  const decision = scrapeDecision({
    production: isProductionRuntime(),
    token: env().METRICS_TOKEN,
    authorization: request.headers.get('authorization'),
  })
  if (decision === 'disabled') return new Response('Not found', { status: 404 })
  if (decision === 'unauthorized') {
    return new Response('Unauthorized', { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' } })
  }
  const { body, contentType } = await exposition(request.headers.get('accept'))
  return new Response(body, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } })
})
