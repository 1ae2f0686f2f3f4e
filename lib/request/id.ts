// Request IDs: propagate a valid incoming one unchanged, replace anything else. Pure (no Node
// or Next imports) so the proxy, the Node server hook and tests share one definition.

export const REQUEST_ID_HEADER = 'x-request-id'
/**
 * Set on the request (never by the client: the proxy strips one it did not write) when the ID
 * was generated here, for code that runs without the Node server's request context (Vercel).
 */
export const REQUEST_ID_SOURCE_HEADER = 'x-request-id-source'

/**
 * Where a request's ID came from. A client's ID is propagated (that is the contract), but it is
 * the client's word: audit rows record this so a reader can tell, and nothing uses it as an identity.
 */
export type RequestIdSource = 'client' | 'server'

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
 * The ID for a request given its incoming header value(s), and where it came from: the same
 * value when valid (the client's), a new one otherwise (ours). An invalid value is dropped,
 * never reflected into a response or a log line.
 */
export function settleRequestId(incoming: string | string[] | null | undefined): {
  requestId: string
  source: RequestIdSource
} {
  return isValidRequestId(incoming)
    ? { requestId: incoming, source: 'client' }
    : { requestId: generateRequestId(), source: 'server' }
}
