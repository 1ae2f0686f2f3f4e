// The same-origin PostHog endpoint: posthog-js talks to /ingest on the app's own origin (ad
// blockers drop direct calls, and the CSP keeps connect-src 'self'), and this forwards to
// PostHog. A rewrite in next.config.js would forward every request header, the session cookie
// included; this sends only what PostHog needs to read the payload. The browser's cookies, its
// IP address (no x-forwarded-for) and its other headers never leave the app.
import 'server-only'
import { env } from '../env'
import { readCapped, upstreamFailureStatus } from '../http'

const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-encoding', 'user-agent'] as const
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified'] as const
/** Event batches and session-recording chunks are small; anything bigger is not for PostHog. */
export const MAX_INGEST_BYTES = 20 * 1024 * 1024
const UPSTREAM_TIMEOUT_MS = 10_000
const PREFIX = '/ingest'

type PostHogHosts = { api: string; assets: string }

/** `/ingest/e/?v=1` → the PostHog URL it stands for: `/static/*` on the assets host, the rest on the API host. */
export function upstreamUrlFor(requestUrl: string, hosts: PostHogHosts): string | undefined {
  const url = new URL(requestUrl)
  if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return undefined
  const rest = url.pathname.slice(PREFIX.length) || '/'
  const host = rest.startsWith('/static/') ? hosts.assets : hosts.api
  return `${host.replace(/\/$/, '')}${rest}${url.search}`
}

const configuredHosts = (): PostHogHosts => ({ api: env().POSTHOG_HOST, assets: env().POSTHOG_ASSETS_HOST })

export async function forwardToPostHog(request: Request, hosts: PostHogHosts = configuredHosts()): Promise<Response> {
  const target = upstreamUrlFor(request.url, hosts)
  if (!target) return new Response('Not found', { status: 404 })
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  const body = hasBody ? await readCapped(request, MAX_INGEST_BYTES) : undefined
  if (hasBody && !body) return new Response('Payload too large', { status: 413 })

  const headers = new Headers()
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name)
    if (value) headers.set(name, value)
  }
  let upstream: Response
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    })
  } catch (error) {
    return new Response(null, { status: upstreamFailureStatus(error) })
  }
  // fetch() has already decoded the body, so its encoding and length headers no longer apply.
  const responseHeaders = new Headers()
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name)
    if (value) responseHeaders.set(name, value)
  }
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders })
}
