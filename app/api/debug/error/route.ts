// Throws on purpose (DEBUG_ROUTES=1 only) so an operator can see an error travel through the
// pipeline. It first logs the request the careless way, headers and all: the logger's
// redaction is what keeps credentials out of the output.
import { debugRoutesEnabled } from '@/lib/debug'
import { getRequestLogger } from '@/lib/logs'

export const dynamic = 'force-dynamic'

async function handle(request: Request): Promise<Response> {
  if (!debugRoutesEnabled()) return new Response('Not found', { status: 404 })
  const log = await getRequestLogger()
  log.warn(
    { headers: request.headers, query: Object.fromEntries(new URL(request.url).searchParams) },
    'debug_error_requested',
  )
  throw new Error('Planted server error from /api/debug/error')
}

export const GET = handle
export const POST = handle
