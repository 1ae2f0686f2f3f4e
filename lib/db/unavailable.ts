// Which failures mean "the database cannot answer right now", as opposed to a bad query: the
// first is the caller's to answer with 503 and a retry, the second is a bug and stays a 500.
// Not answering is either out of reach (a refused or cut connection, a server shutting down) or
// too busy: a statement the server stopped because it waited too long for a lock or ran too long
// (the app role's lock_timeout and statement_timeout, scripts/app-role.mjs).
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
  'NO_ANSWER', // ours: no answer within the deadline (deadline.ts), as for a silent network
])

/** SQLSTATE class 08 (connection exception); 57P01–57P03: shutting down, or not accepting yet. */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-3])$/

/**
 * The server stopped the statement itself, so it did not commit: 55P03 lock_not_available (a
 * lock wait past lock_timeout), 57014 query_canceled (statement_timeout, or a cancel request).
 */
const STOPPED_SQLSTATES = new Set(['55P03', '57014'])

export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailableCode(error) !== undefined
}

/**
 * Failures of the connection attempt itself: the statement was never sent, so it did not run.
 * With the statements the server stopped, these are the failures that certainly changed nothing.
 */
const CHANGED_NOTHING_CODES = new Set([
  ...STOPPED_SQLSTATES,
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
 * necessarily its effect, was lost. False for a failure to connect, for a statement the server
 * stopped, and for any other error.
 */
export function mayHaveCommitted(error: unknown): boolean {
  const code = unavailableCode(error)
  return code !== undefined && !CHANGED_NOTHING_CODES.has(code)
}

/** Whether the statement gave up waiting for a lock (lock_timeout): it changed nothing, and may be tried again. */
export function isLockTimeout(error: unknown): boolean {
  return hasErrorCode(error, '55P03')
}

/** Whether `code` (a SQLSTATE, or a driver's or socket's code) is on the error or one of its causes. */
export function hasErrorCode(error: unknown, code: string): boolean {
  return findCode(error, (found) => found === code) !== undefined
}

function unavailableCode(error: unknown): string | undefined {
  return findCode(
    error,
    (code) => CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code) || STOPPED_SQLSTATES.has(code),
  )
}

/** The first `code` along the error and its causes (Drizzle's and Auth.js's wrappers) that `wanted` accepts. */
function findCode(error: unknown, wanted: (code: string) => boolean): string | undefined {
  let current = error
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && wanted(code)) return code
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
