// Where signed-out visitors go and where they may come back to. Pure (no Node or Next
// imports) so the proxy, server actions and tests share one definition.

/** Pages that need a session. The proxy sends signed-out visits to the sign-in page. */
export const PROTECTED_PATH_PREFIXES = ['/customers', '/activity'] as const

export const SIGN_IN_PATH = '/sign-in'
export const SIGN_UP_PATH = '/sign-up'
export const DEFAULT_SIGNED_IN_PATH = '/customers'

// The names people type for the auth pages. The proxy answers them: as next.config.js redirects
// they were rules Next tried on every request it served, assets and probes included; the three
// cost the JSON route about 50 µs of CPU a request (docs/performance.md, 8 December).
const AUTH_PAGE_ALIASES = new Map([
  ['/login', SIGN_IN_PATH],
  ['/signup', SIGN_UP_PATH],
  ['/register', SIGN_UP_PATH],
])

/** The auth page a typed alias stands for (`/login`, `/signup`, `/register`; any case, a trailing slash allowed). */
export function authPageForAlias(pathname: string): string | undefined {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
  return AUTH_PAGE_ALIASES.get(path.toLowerCase())
}

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
  for (const name of cookieNames) if (isSessionCookieName(name)) return true
  return false
}

export function isSessionCookieName(name: string): boolean {
  return SESSION_COOKIE.test(name)
}

const PLACEHOLDER_ORIGIN = 'http://signalbox.invalid'

/** What a browser could read as another origin, or what some parser strips and then reads so. */
function looksCrossOrigin(path: string): boolean {
  return !path.startsWith('/') || path.startsWith('//') || path.includes('\\') || /[\u0000-\u001f\u007f]/.test(path)
}

/**
 * The one rule for every post-sign-in redirect (the sign-in and sign-up pages, their actions,
 * Auth.js's redirect callback): a same-origin path, or `fallback`. The input is checked, then
 * normalised as a browser would (dot segments, percent-encoded dots), and the *result* is
 * checked again: `/.//evil.com` passes the first look but normalises to `//evil.com`, which a
 * browser reads as another host.
 */
export function safeCallbackPath(value: unknown, fallback: string = DEFAULT_SIGNED_IN_PATH): string {
  if (typeof value !== 'string' || looksCrossOrigin(value)) return fallback
  try {
    const url = new URL(value, PLACEHOLDER_ORIGIN)
    if (url.origin !== PLACEHOLDER_ORIGIN) return fallback
    const normalised = `${url.pathname}${url.search}${url.hash}`
    return looksCrossOrigin(normalised) ? fallback : normalised
  } catch {
    return fallback
  }
}

/** `/sign-in?callbackUrl=%2Fcustomers` for a visit to `/customers`. */
export function signInPathFor(returnTo: string): string {
  const params = new URLSearchParams({ callbackUrl: safeCallbackPath(returnTo) })
  return `${SIGN_IN_PATH}?${params}`
}
