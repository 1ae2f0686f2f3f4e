// Throws on purpose (DEBUG_ROUTES=1 only) so an operator can check, after a deploy, that a
// server error reaches Sentry with its request ID. Like /api/debug/error it first logs the
// request's headers as they came (the logger's allow-list and redaction keep cookies and tokens
// out), its URL without the query's values (as the access line) and the size of its body: an
// OAuth `code` or an email in a query, a password in a body, are not keys the redaction can
// recognise (docs/logging.md).
import { getSession } from '@/lib/auth'
import { debugRoutesEnabled } from '@/lib/debug'
import { closeIfUnread, readCapped } from '@/lib/http'
import { getRequestLogger } from '@/lib/logs'
import { stripUrlQueryValues } from '@/lib/privacy'

export const dynamic = 'force-dynamic'

// Only its size is logged; the cap keeps a route an operator leaves on from reading any body
// whole (the customers API's limits).
const BODY_LIMITS = { maxBytes: 16 * 1024, timeoutMs: 10_000 }

async function handle(request: Request): Promise<Response> {
  if (!debugRoutesEnabled()) return new Response('Not found', { status: 404 })
  // Signed in, the event carries the user (ID only): the check covers user scope too.
  await getSession()
  let bodyBytes: number | undefined
  if (request.method === 'POST') {
    const read = await readCapped(request, BODY_LIMITS)
    if (!read.ok)
      return new Response(read.reason, {
        status: read.status,
        headers: { 'Content-Type': 'text/plain', ...closeIfUnread(request) },
      })
    bodyBytes = read.body.byteLength
  }
  const log = await getRequestLogger()
  log.warn(
    { headers: request.headers, url: stripUrlQueryValues(request.url), body_bytes: bodyBytes },
    'debug_sentry_requested',
  )
  throw new Error('Planted server error from /api/debug/sentry')
}

export const GET = handle
export const POST = handle
