// Throws on purpose (DEBUG_ROUTES=1 only) so an operator can check, after a deploy, that a
// server error reaches Sentry with its request ID. Like /api/debug/error it handles the request
// carelessly — reads the body, logs headers and query — because the pipeline's scrubbing, not
// the route's manners, is what keeps cookies, tokens and bodies out of the event.
import { getSession } from '@/lib/auth'
import { debugRoutesEnabled } from '@/lib/debug'
import { getRequestLogger } from '@/lib/logs'

export const dynamic = 'force-dynamic'

async function handle(request: Request): Promise<Response> {
  if (!debugRoutesEnabled()) return new Response('Not found', { status: 404 })
  // Signed in, the event carries the user (ID only): the check covers user scope too.
  await getSession()
  const body = request.method === 'POST' ? await request.text() : undefined
  const log = await getRequestLogger()
  log.warn(
    { headers: request.headers, query: Object.fromEntries(new URL(request.url).searchParams), body },
    'debug_sentry_requested',
  )
  throw new Error('Planted server error from /api/debug/sentry')
}

export const GET = handle
export const POST = handle
