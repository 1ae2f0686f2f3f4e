// Throws on purpose (DEBUG_ROUTES=1 only) so an operator can see an error travel through the
// pipeline. It first logs the request's headers as they came (the logger's allow-list and
// redaction keep credentials out of the output) and its URL with the query's values taken out
// (lib/privacy, as the access line does), which the redaction could not tell from data (an OAuth
// `code`, an email).
import { debugRoutesEnabled } from '@/lib/debug'
import { getRequestLogger } from '@/lib/logs'
import { stripUrlQueryValues } from '@/lib/privacy'

export const dynamic = 'force-dynamic'

async function handle(request: Request): Promise<Response> {
  if (!debugRoutesEnabled()) return new Response('Not found', { status: 404 })
  const log = await getRequestLogger()
  log.warn({ headers: request.headers, url: stripUrlQueryValues(request.url) }, 'debug_error_requested')
  throw new Error('Planted server error from /api/debug/error')
}

export const GET = handle
export const POST = handle
