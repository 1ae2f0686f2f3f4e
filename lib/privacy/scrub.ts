// Scrubbing for what leaves the process (error events, spans): the redaction of log lines
// (redact.ts: secret keys, header allow-list, credentials in text) plus query-string values
// and e-mail addresses in free text. Isomorphic: the browser's Sentry adapter uses it too.
import { REDACTED, redact, redactText, stripQueryValues } from './redact'

const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g

/** Free text (messages, span names, breadcrumbs): credentials, query values (redact.ts) and e-mails go. */
export function scrubText(text: string): string {
  const redacted = redactText(text)
  return redacted.includes('@') ? redacted.replace(EMAIL_IN_TEXT, '[email]') : redacted
}

/** `a=1&b=2` (with or without a leading `?`) → `a=&b=`. */
export function stripQueryString(query: string): string {
  const bare = query.startsWith('?') ? query.slice(1) : query
  return stripQueryValues(`?${bare}`).slice(1)
}

const QUERY_KEY = /(^|[._-])(query|query_?string|search|params)$/i

/** A copy of `value` with secret keys redacted (redact.ts) and every string scrubbed. */
export function scrubData(value: unknown): unknown {
  return scrubStrings(redact(value), undefined)
}

function scrubStrings(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') {
    if (value === REDACTED) return value
    return key && QUERY_KEY.test(key) ? stripQueryString(scrubText(value)) : scrubText(value)
  }
  if (Array.isArray(value)) return value.map((item) => scrubStrings(item, undefined))
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {}
    for (const [innerKey, inner] of Object.entries(value)) out[innerKey] = scrubStrings(inner, innerKey)
    return out
  }
  return value
}
