// Redaction in the pipeline: every log line, error event and span passes through here, so a
// secret cannot reach the output because someone forgot to leave it out.

/** Keys whose values are never written, at any depth. Compared lower-cased, without - and _. */
export const REDACTED_KEYS = [
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'cookie',
  'set-cookie',
  'api_key',
  'apiKey',
  'dsn',
  'session',
] as const

/** Header names kept when a header bag is logged; every other header is dropped. */
export const LOGGED_HEADERS = [
  'accept',
  'content-length',
  'content-type',
  'host',
  'referer',
  'user-agent',
  'x-request-id',
  'x-forwarded-proto',
  'traceparent',
] as const

export const REDACTED = '[REDACTED]'

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '')
const redactedKeys = new Set(REDACTED_KEYS.map(normalise))
const loggedHeaders = new Set<string>(LOGGED_HEADERS)

/**
 * Whether a value under this key must be redacted: the key contains one of REDACTED_KEYS
 * (`userPassword`, `password_hash`, `X-Api-Key`, `sessionToken`…). Erring towards redaction
 * is the point: a false positive costs a field, a false negative leaks a credential.
 */
const secretKeyCache = new Map<string, boolean>()

export function isSecretKey(key: string): boolean {
  let secret = secretKeyCache.get(key)
  if (secret === undefined) {
    const k = normalise(key)
    secret = [...redactedKeys].some((name) => k.includes(name))
    // Keys come from code, not data, so there are few of them; the bound is for safety.
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret)
  }
  return secret
}

// Credentials that turn up inside free text: bearer/basic tokens and user:password@ in URLs.
// Drizzle's query errors end with `params: <the bound values>` (customer emails, password
// hashes…): the SQL text stays, the values go. Query strings keep their names, never their
// values (`/reset?token=…` → `/reset?token=`), and fragments lose theirs too
// (`/cb#access_token=…` → `/cb#access_token=`), wherever a URL turns up in text.
const SECRET_IN_TEXT = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s:/@]+:[^\s@/]+@/gi, `$1${REDACTED}@`],
  [/((?:^|\n)params: )[\s\S]*?(?=\n\s+at |$)/g, `$1${REDACTED}`],
] as const

// A query parameter in text: `?name=value`, `&name=value`, or a bare `?name`. Its value goes,
// and so does a name that is not plain (PLAIN_QUERY_NAME): `/status?eyJhbGciOi…` carries a
// token as a bare key, which keeping names would keep.
const QUERY_PARAMETER_IN_TEXT = /([?&])([^=&\s#"'<>?]+)(=[^&\s#"'<>]*)?/g

// A URL's fragment in text: a `#` after a path or an address (`/cb#access_token=…`), up to
// whitespace or a quote; stripFragmentValues decides what stays. A `#` with no `/` before it in
// the same word (`issue #12`, `C#`, a private method `Foo.#bar` in a stack) is not a URL's.
const FRAGMENT_IN_TEXT = /(\/[^\s#"'<>]*)#([^\s"'<>]*)/g

// Every pattern above needs one of these to match: most strings (IDs, routes, names) skip the
// regular expressions altogether, which matters on a path every log line takes.
const MAY_HOLD_SECRETS = /[?&@#]|bearer|basic|params: /i

export function redactText(text: string): string {
  if (!MAY_HOLD_SECRETS.test(text)) return text
  let out = text
  for (const [pattern, replacement] of SECRET_IN_TEXT) out = out.replace(pattern, replacement)
  if (out.includes('#'))
    out = out.replace(
      FRAGMENT_IN_TEXT,
      (_, before: string, fragment: string) => `${before}#${stripFragmentValues(fragment)}`,
    )
  return out.replace(
    QUERY_PARAMETER_IN_TEXT,
    (_, separator: string, name: string, value: string | undefined) =>
      `${separator}${isPlainQueryName(name) ? name : REDACTED}${value === undefined ? '' : '='}`,
  )
}

/**
 * What a parameter name may look like to be kept. A name is code's, short and plain (`page`,
 * `callbackUrl`, `filter[status]`); a long one, or one with other characters, is more likely a
 * value sent as a bare key (`/status?eyJhbGciOi…`, a token pasted without `token=`).
 */
const PLAIN_QUERY_NAME = /^[A-Za-z0-9_.[\]-]{1,32}$/

/** Whether a (percent-encoded) parameter name is plain once decoded; one that does not decode is not. */
function isPlainQueryName(name: string): boolean {
  try {
    return PLAIN_QUERY_NAME.test(decodeURIComponent(name))
  } catch {
    return false
  }
}

/** `x=1&y` → `x=&y=`: the names of a query's (or a fragment's) parameters, never their values. */
function parameterNames(pairs: string): string {
  return pairs
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=')[0] ?? ''
      // REDACTED is checked first: it passes as plain, and encoded it would not read as redacted.
      if (name === REDACTED || !isPlainQueryName(name)) return `${REDACTED}=`
      return `${encodeURIComponent(decodeURIComponent(name))}=`
    })
    .join('&')
}

/**
 * What a fragment may look like to be kept as it is: an anchor, short and plain (`pricing`,
 * `section-2`, `user-content-install`, `callbackrouteerror`). A run of more than 16 letters and
 * digits is a token's unless it is all lowercase letters: a token of 32 hex digits or of
 * base64 has no separator to break it, but has digits or mixed case, and a long word
 * (`internationalization`, Auth.js's error anchors) has neither.
 */
const PLAIN_ANCHOR = /^[A-Za-z0-9_.-]{1,32}$/
const LONG_RUN = /[A-Za-z0-9]{17,}/g
const WORD = /^[a-z]+$/

function hasTokenLikeRun(fragment: string): boolean {
  return (fragment.match(LONG_RUN) ?? []).some((run) => !WORD.test(run))
}

/**
 * A URL's fragment (after its `#`) as it may leave the process. A plain anchor stays
 * (`pricing`); `name=value` pairs, as OAuth's implicit flow, magic links and many identity
 * providers send tokens (`access_token=eyJ…&state=x`), keep their names like a query string
 * (`access_token=&state=`); anything else, a bare token or a client-side route
 * (`/reset?token=…`), is `[REDACTED]`.
 */
export function stripFragmentValues(fragment: string): string {
  if (fragment === '' || (PLAIN_ANCHOR.test(fragment) && !hasTokenLikeRun(fragment))) return fragment
  return fragment.includes('=') ? parameterNames(fragment) : REDACTED
}

/**
 * `/a?x=1&y=2#f` → `/a?x=&y=#f`: keeps which parameters were sent, never their values; a name
 * that does not look like one (PLAIN_QUERY_NAME) is replaced too, and the fragment is
 * stripped by the same rule (stripFragmentValues).
 */
export function stripQueryValues(url: string): string {
  const hash = url.indexOf('#')
  const beforeFragment = hash === -1 ? url : url.slice(0, hash)
  const fragment = hash === -1 ? '' : `#${stripFragmentValues(url.slice(hash + 1))}`
  const at = beforeFragment.indexOf('?')
  if (at === -1) return beforeFragment + fragment
  return `${beforeFragment.slice(0, at)}?${parameterNames(beforeFragment.slice(at + 1))}${fragment}`
}

/**
 * One URL-valued string with its query values dropped and its fragment stripped
 * (`https://h/a?x=1#f` → `https://h/a?x=#f`, stripQueryValues); any other string is returned as
 * it is. A URL is an absolute http(s) URL or a path starting with `/`, without whitespace (free
 * text that happens to contain a `?` or a `#` is left alone).
 */
export function stripUrlQueryValues(value: string): string {
  if ((!value.includes('?') && !value.includes('#')) || /\s/.test(value)) return value
  if (value.startsWith('/')) return stripQueryValues(value)
  if (!/^https?:\/\//i.test(value)) return value
  try {
    const url = new URL(value)
    return `${url.origin}${stripQueryValues(url.pathname + url.search + url.hash)}`
  } catch {
    return stripQueryValues(value)
  }
}

/**
 * A copy of `value` in which every URL-valued string, in plain objects and arrays up to 8 levels
 * deep, has lost its query values.
 * One rule for every property rather than a list of property names: analytics SDKs keep adding
 * URL properties (`$session_entry_url`, `$initial_referrer`, `$prev_pageview_url`…).
 */
export function stripQueryValuesFromUrls<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return stripUrlQueryValues(value) as T
  if (value === null || typeof value !== 'object' || depth > 8) return value
  if (Array.isArray(value)) return value.map((item) => stripQueryValuesFromUrls(item, depth + 1)) as T
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = stripQueryValuesFromUrls(inner, depth + 1)
  return out as T
}

function headerBag(value: unknown): Record<string, unknown> | undefined {
  if (typeof Headers !== 'undefined' && value instanceof Headers) return Object.fromEntries(value.entries())
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  return undefined
}

/**
 * A copy of `value` with secret keys redacted at any depth, header bags reduced to the
 * allow-list and credentials in strings masked. Errors keep name, message and stack.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value === null || typeof value !== 'object') return value
  if (depth > 8) return '[Truncated]'
  if (seen.has(value)) return '[Circular]'
  seen.add(value)

  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: redactText(value.message) }
    if (value.stack) out.stack = redactText(value.stack)
    const { digest, code, cause } = value as Error & { digest?: unknown; code?: unknown }
    if (digest !== undefined) out.digest = digest
    if (code !== undefined) out.code = code
    if (cause !== undefined) out.cause = redact(cause, depth + 1, seen)
    return out
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen))
  if (value instanceof Date) return value

  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (isSecretKey(key)) out[key] = REDACTED
    else if (key.toLowerCase() === 'headers') out[key] = allowedHeaders(inner, depth, seen)
    else out[key] = redact(inner, depth + 1, seen)
  }
  return out
}

function allowedHeaders(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  const bag = headerBag(value)
  if (!bag) return redact(value, depth + 1, seen)
  const out: Record<string, unknown> = {}
  for (const [name, inner] of Object.entries(bag)) {
    if (loggedHeaders.has(name.toLowerCase())) out[name.toLowerCase()] = redact(inner, depth + 1, seen)
  }
  return out
}
