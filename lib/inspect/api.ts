// GET /api/dev/inspect (development only, app/api/dev/inspect/route.dev.ts): the recorded
// requests, filtered, or with `?id=` everything one request did. Only this machine may ask: `next dev`
// listens on every interface, and the buffer holds a developer's session. And only by a loopback
// name: a site whose name an attacker re-points at 127.0.0.1 (DNS rebinding) would otherwise read
// it from the developer's own browser, as a same-origin page on a loopback peer.
import { z } from 'zod'
import { currentRequestContext } from '../request'
import { inspectedRequest, inspectedRequests, type RequestFilter } from './buffer'
import { INSPECTOR_ENABLED } from './client'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i

/** Whether a request with this `Host` header may read the inspector: development, from this machine, by a loopback name. */
export function mayInspect(host: string | null | undefined): boolean {
  const peer = currentRequestContext()?.peerAddress
  return INSPECTOR_ENABLED && peer !== undefined && LOOPBACK.has(peer) && LOOPBACK_HOST.test(host ?? '')
}

const text = (max: number) => z.string().trim().max(max).optional()

/** The filters as the page sends them; an empty field is no filter. */
export const inspectorQuery = z.object({
  /** One request: everything it did. */
  id: text(128),
  request: text(128),
  user: text(128),
  route: text(200),
  status: z
    .string()
    .trim()
    .regex(/^$|^[1-5](\d\d|xx)$/i, 'a status such as 500, or a class such as 5xx')
    .optional(),
  errors: z.enum(['', '0', '1']).optional(),
})

const noStore = { 'Cache-Control': 'no-store' }

export function answerInspectorQuery(request: Request): Response {
  const url = new URL(request.url)
  if (!mayInspect(request.headers.get('host')))
    return Response.json({ error: 'not found' }, { status: 404, headers: noStore })
  const parsed = inspectorQuery.safeParse(Object.fromEntries(url.searchParams))
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    return Response.json({ error: 'invalid filter', problems }, { status: 400, headers: noStore })
  }
  const query = parsed.data
  if (query.id) {
    const one = inspectedRequest(query.id)
    return Response.json(one ?? { error: 'not recorded (yet, or no longer)' }, {
      status: one ? 200 : 404,
      headers: noStore,
    })
  }
  const filter: RequestFilter = {
    requestId: query.request || undefined,
    userId: query.user || undefined,
    route: query.route || undefined,
    status: query.status || undefined,
    errorsOnly: query.errors === '1',
  }
  return Response.json({ requests: inspectedRequests(filter) }, { headers: noStore })
}
