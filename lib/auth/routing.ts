// Where signed-out visitors go and where they may come back to. Pure (no Node or Next
// imports) so the proxy, server actions and tests share one definition.

/** Pages that need a session. The proxy sends signed-out visits to the sign-in page. */
export const PROTECTED_PATH_PREFIXES = ['/customers', '/activity'] as const

export const SIGN_IN_PATH = '/sign-in'
export const DEFAULT_SIGNED_IN_PATH = '/customers'

export function isProtectedPath(pathname: string): boolean {
  return PROTECTED_PATH_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))
}

// Auth.js names its session cookie `authjs.session-token` (`__Secure-` prefixed over HTTPS)
// and splits large ones into `.0`, `.1`… chunks.
const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token(\.\d+)?$/

/**
 * Whether the request carries a session cookie at all. An optimistic check for the proxy:
 * it keeps signed-out visitors off app pages cheaply; pages, actions and route handlers still
 * verify the session itself.
 */
export function hasSessionCookie(cookieNames: Iterable<string>): boolean {
  for (const name of cookieNames) if (SESSION_COOKIE.test(name)) return true
  return false
}

const PLACEHOLDER_ORIGIN = 'http://signalbox.invalid'

/**
 * A same-origin path to return to after signing in, or `fallback`. Rejects anything a browser
 * could read as another origin: `https://evil.com`, protocol-relative `//evil.com`, and `/\evil`
 * (browsers treat `\` as `/`), plus control characters that some parsers strip.
 */
export function safeCallbackPath(value: unknown, fallback: string = DEFAULT_SIGNED_IN_PATH): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return fallback
  if (value.includes('\\') || /[\u0000-\u001f\u007f]/.test(value)) return fallback
  try {
    const url = new URL(value, PLACEHOLDER_ORIGIN)
    if (url.origin !== PLACEHOLDER_ORIGIN) return fallback
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return fallback
  }
}

/** `/sign-in?callbackUrl=%2Fcustomers` for a visit to `/customers`. */
export function signInPathFor(returnTo: string): string {
  const params = new URLSearchParams({ callbackUrl: safeCallbackPath(returnTo) })
  return `${SIGN_IN_PATH}?${params}`
}
