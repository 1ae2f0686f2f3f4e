// On a self-hosted server, Next hands route handlers its internal URL (http://localhost:<port>)
// whatever Host the browser used (nextauthjs/next-auth#10928), and Auth.js builds its redirects
// and OAuth callback URLs from that URL. With AUTH_URL, next-auth rewrites the origin itself;
// where the host is trusted instead (AUTH_TRUST_HOST behind your proxy, Vercel, development),
// this gives Auth.js the origin the browser used, from the forwarded headers.
import { NextRequest } from 'next/server'

const first = (value: string | null) => value?.split(',')[0]?.trim() || undefined

/** The request as Auth.js should see it; unchanged unless the host is trusted and differs. */
export function withRequestOrigin(
  request: NextRequest,
  { hostTrusted, authUrl }: { hostTrusted: boolean; authUrl: string | undefined },
): NextRequest {
  if (authUrl || !hostTrusted) return request
  const host = first(request.headers.get('x-forwarded-host')) ?? first(request.headers.get('host'))
  if (!host) return request
  const current = new URL(request.url)
  const protocol = first(request.headers.get('x-forwarded-proto')) ?? current.protocol.replace(/:$/, '')
  if (protocol !== 'http' && protocol !== 'https') return request
  let origin: string
  try {
    const parsed = new URL(`${protocol}://${host}`)
    if (parsed.host !== host.toLowerCase() || parsed.username || parsed.password) return request // not a bare host[:port]
    origin = parsed.origin
  } catch {
    return request
  }
  if (origin === current.origin) return request
  const url = `${origin}${current.pathname}${current.search}`
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return new NextRequest(url, {
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  })
}
