// A failed query's error without the values it was given. Drizzle's error message ends with
// `params: <the bound values>` (a customer's email, a password hash), and PostgreSQL's own
// error repeats values in its detail ("Key (email)=(ada@…) already exists", "Failing row
// contains (…)") and in some messages ("invalid input syntax for type uuid: \"…\""), and the
// embedded database's driver keeps its own copy on the error. Our log lines redact these, but the
// same error object is also printed by Next itself (its `⨯` line for a server action or a page
// that throws), recorded on the query's span and sent to Sentry. So the values are taken off the
// error where it is made, once, for every one of those.
import { DrizzleQueryError } from 'drizzle-orm/errors'
import { REDACTED, redactText } from '../privacy'

const VALUE_IN_MESSAGE = /^(invalid input (?:syntax|value) for (?:type|enum) [^:]+: )"[\s\S]*"$/
const KEY_DETAIL = /^Key \(([^)]*)\)=\(/

/** The same error, its bound values replaced by [REDACTED]. Anything but a query error is left as it is. */
export function withoutBoundValues(error: unknown): unknown {
  if (!(error instanceof DrizzleQueryError)) return error
  error.message = redactText(error.message)
  if (error.stack) error.stack = redactText(error.stack)
  error.params = [REDACTED]
  const cause: unknown = error.cause
  if (cause instanceof Error) scrubDatabaseError(cause as Error & { detail?: unknown })
  return error
}

// The drivers' own copies of the values: PGlite's error has them as `params`, postgres.js's as
// `parameters` (hidden from printing unless its debug option is on, and then read-only).
const DRIVER_VALUE_FIELDS = ['params', 'parameters'] as const

function scrubDatabaseError(cause: Error & { detail?: unknown }): void {
  for (const field of DRIVER_VALUE_FIELDS) {
    if (Object.getOwnPropertyDescriptor(cause, field)?.writable) Object.assign(cause, { [field]: [REDACTED] })
  }
  const message = cause.message.replace(VALUE_IN_MESSAGE, `$1"${REDACTED}"`)
  if (message !== cause.message) {
    if (cause.stack) cause.stack = cause.stack.replace(cause.message, message)
    cause.message = message
  }
  if (typeof cause.detail === 'string') {
    const key = KEY_DETAIL.exec(cause.detail)
    if (key) cause.detail = `Key (${key[1]})=(${REDACTED})`
    else if (cause.detail.startsWith('Failing row contains')) cause.detail = `Failing row contains (${REDACTED})`
  }
}
