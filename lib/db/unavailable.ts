// Which failures mean "the database cannot be reached right now", as opposed to a bad query: the
// first is the caller's to answer with 503 and a retry, the second is a bug and stays a 500.
// postgres.js puts its own connection codes (or the socket's) on `code`; the server's SQLSTATE
// is there too; Drizzle wraps either in a DrizzleQueryError whose `cause` is the original.

const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', // the socket closed under a query (a reset, a restart, a cut network)
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** SQLSTATE class 08 (connection exception); 57P01–57P03: shutting down, or not accepting yet. */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3])$/

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableCode(error) !== undefined
}

/** Failures of the connection attempt itself: the statement was never sent, so it did not run. */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED',
  'CONNECT_TIMEOUT',
  'CONNECTION_ENDED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/**
 * Whether a statement that failed for want of the database may still have committed: the
 * connection was lost after it was sent (a reset, the server shutting down), so its answer, not
 * necessarily its effect, was lost. False for a failure to connect, and for any other error.
 */
export function mayHaveCommitted(error: unknown): boolean {
  const code = unavailableCode(error)
  return code !== undefined && !NEVER_SENT_CODES.has(code)
}

function unavailableCode(error: unknown): string | undefined {
  let current = error
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return code
    current = nextCause(current)
  }
  return undefined
}

/**
 * The error's cause. Auth.js wraps an error thrown while signing in (a failed query in the
 * credentials check) as `{ cause: { err } }`, a plain object holding the original.
 */
function nextCause(error: object): unknown {
  const cause = (error as { cause?: unknown }).cause
  if (cause && typeof cause === 'object' && !(cause instanceof Error) && 'err' in cause) return cause.err
  return cause
}
