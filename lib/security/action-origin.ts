// Server actions posted from another origin. Next refuses them itself (its CSRF check), but
// answers 500, so a cross-site form or a forged header reads as our failure and reaches
// Sentry and the error log. The proxy refuses them first, with 403, by the same rule.

/**
 * True when the request carries an `Origin` whose host is not the request's host, or an `Origin`
 * that is not a URL at all. Next's rule (app-render/action-handler): the request's host is
 * `X-Forwarded-Host`'s first value when there is one, else `Host`; no `Origin` is let through
 * (browsers send one with every POST); `null` is not a host and is refused.
 */
export function hasForeignOrigin(headers: Headers): boolean {
  const origin = headers.get('origin')
  if (origin === null) return false
  let originHost: string
  try {
    originHost = new URL(origin).host
  } catch {
    return true
  }
  if (!originHost) return true
  const forwardedHost = headers.get('x-forwarded-host')?.split(',')[0]?.trim()
  return originHost !== (forwardedHost || headers.get('host'))
}

/** True when a POST to a page (where server actions live: API routes check their own requests) has a foreign `Origin`. */
export function isCrossOriginActionPost(method: string, pathname: string, headers: Headers): boolean {
  if (method !== 'POST' || pathname.startsWith('/api/')) return false
  return hasForeignOrigin(headers)
}
