// Throws on purpose (DEBUG_ROUTES=1 only) so an operator can see an error travel through the
// pipeline. It first logs the request's headers as they came (the logger's allow-list and
// redaction keep credentials out of the output) and the names of its query parameters, never
// their values, which the redaction could not tell from data (an OAuth `code`, an email).
import { debugRoutesEnabled } from '@/lib/debug'
import { getRequestLogger } from '@/lib/logs'

export const dynamic = 'force-dynamic'

async function handle(request: Request): Promise<Response> {
  if (!debugRoutesEnabled()) return new Response('Not found', { status: 404 })
  const log = await getRequestLogger()
  log.warn(
    { headers: request.headers, query_names: [...new URL(request.url).searchParams.keys()] },
    'debug_error_requested',
  )
  throw new Error('Planted server error from /api/debug/error')
}

export const GET = handle
export const POST = handle
