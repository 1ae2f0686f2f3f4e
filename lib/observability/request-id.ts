// Request IDs: propagate a valid incoming one unchanged, replace anything else. Pure (no Node
// or Next imports) so the proxy, the Node server hook and tests share one definition.

export const REQUEST_ID_HEADER = 'x-request-id'

/**
 * 1–128 characters of A–Z a–z 0–9 . _ : -  — admits UUIDs, ULIDs, W3C trace IDs and
 * x-vercel-id values, and rules out anything that could forge a log line or a header.
 */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value)
}

export function generateRequestId(): string {
  return crypto.randomUUID()
}

/**
 * The ID for a request given its incoming header value(s): the same value when valid, a new
 * one otherwise. An invalid value is dropped, never reflected into a response or a log line.
 */
export function requestIdFrom(incoming: string | string[] | null | undefined): string {
  return isValidRequestId(incoming) ? incoming : generateRequestId()
}
