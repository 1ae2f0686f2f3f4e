import { NextResponse, type NextRequest } from 'next/server'
import { authPageForAlias, hasSessionCookie, isProtectedPath, signInPathFor } from '@/lib/auth/routing'
import { REQUEST_ID_HEADER, REQUEST_ID_SOURCE_HEADER, settleRequestId } from '@/lib/request/id'
import {
  CONTENT_SECURITY_POLICY_HEADER,
  contentSecurityPolicyForRequest,
  isCrossOriginActionPost,
  unreadableActionBody,
} from '@/lib/security'

const CROSS_ORIGIN = { status: 403, message: 'Cross-origin request refused' }

/**
 * Every request gets an ID: a valid incoming `x-request-id` is kept unchanged, anything else
 * is replaced, and an ID we made is marked as ours for code that cannot see the Node hook's
 * context (a client-sent mark is removed). The ID goes downstream on the request headers
 * (server components read it with `getRequestId()`) and back to the client on the response,
 * redirects included.
 *
 * The names people type for the auth pages (`/login`, `/signup`, `/register`) redirect to them,
 * with the query kept.
 *
 * Signed-out visits to app pages (no session cookie at all) go to the sign-in page, which
 * brings them back afterwards. This is an optimistic check that saves a render; pages, server
 * actions and route handlers verify the session themselves. Only page loads are sent there: a
 * server action posted from a page whose session ended meanwhile (signed out in another tab)
 * reaches its action, which answers "your session has ended" in its form. A redirect was no
 * answer the page's script could read, so the form became the error page and lost its input.
 *
 * Every response gets the Content-Security-Policy (lib/security), with a nonce of its own; the
 * request's copy tells Next which nonce to put on the scripts of the page it renders.
 *
 * A POST to a page from another origin (a cross-site server action) is refused with 403, and a
 * server action whose body Next could not read with 400 (413 when it is too large).
 */
export function proxy(request: NextRequest): NextResponse | Promise<NextResponse> {
  const { pathname } = request.nextUrl
  // Server-action posts Next would refuse too, but with a 500 (lib/security/action-origin.ts,
  // action-body.ts). Only a POST's body is read: every other request is answered at once.
  if (isCrossOriginActionPost(request.method, pathname, request.headers)) return answer(request, CROSS_ORIGIN)
  if (request.method === 'POST')
    return unreadableActionBody(request, pathname).then((refusal) => answer(request, refusal))
  return answer(request)
}

function answer(request: NextRequest, refusal?: { status: number; message: string }): NextResponse {
  const { requestId, source } = settleRequestId(request.headers.get(REQUEST_ID_HEADER))
  const { pathname, search } = request.nextUrl
  const alias = refusal ? undefined : authPageForAlias(pathname)
  const signedOut =
    (request.method === 'GET' || request.method === 'HEAD') &&
    isProtectedPath(pathname) &&
    !hasSessionCookie(request.cookies.getAll().map((c) => c.name))

  const policy = contentSecurityPolicyForRequest()

  let response: NextResponse
  if (refusal) {
    response = new NextResponse(refusal.message, { status: refusal.status, headers: { 'Content-Type': 'text/plain' } })
  } else if (alias) {
    response = NextResponse.redirect(new URL(`${alias}${search}`, request.url), 307)
  } else if (signedOut) {
    response = NextResponse.redirect(new URL(signInPathFor(`${pathname}${search}`), request.url))
  } else {
    // The request's copy carries the policy (Next reads its nonce) and the settled ID. On `next
    // start` the Node server's hook has settled it already and the ID arrives as the client's.
    const headers = new Headers(request.headers)
    headers.set(CONTENT_SECURITY_POLICY_HEADER, policy)
    if (source === 'server') {
      headers.set(REQUEST_ID_HEADER, requestId)
      headers.set(REQUEST_ID_SOURCE_HEADER, 'server')
    } else {
      headers.delete(REQUEST_ID_SOURCE_HEADER) // only we may say an ID is ours (getRequestIdSource)
    }
    response = NextResponse.next({ request: { headers } })
  }
  response.headers.set(REQUEST_ID_HEADER, requestId)
  response.headers.set(CONTENT_SECURITY_POLICY_HEADER, policy)
  // Readable by the page's own scripts (Performance API), e.g. for the reference on error pages.
  response.headers.append('Server-Timing', `rid;desc="${requestId}"`)
  return response
}

export const config = {
  // Everything but static assets, the telemetry forwarding paths (/ingest/…, /monitoring, as
  // whole path segments, so /monitoring-status still gets the proxy) and the probes an
  // orchestrator or Prometheus polls (exactly /api/health, /api/ready, /api/metrics, a trailing slash allowed). Running any
  // proxy costs a request a whole extra pass through Next (docs/performance.md), and the probes
  // need nothing from this one: no page, no session, no nonce (they answer JSON or text, so no
  // policy either, like the forwarders). The Node hook still gives them their request ID and
  // access line; elsewhere their handlers echo the ID (echoingRequestId in lib/request).
  matcher: [
    '/((?!_next/static|_next/image|favicon.ico|robots.txt|sitemap.xml|ingest(?:/|$)|monitoring(?:/|$)|api/(?:health|ready|metrics)/?$).*)',
  ],
}
