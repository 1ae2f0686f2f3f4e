// What a refused sign-in says, on the page and in Auth.js's redirect: one message for an unknown
// email and a wrong password, and the wait after too many attempts, carried in the error code;
// and what the forms say when the database is not answering, which is not the person's mistake.
import { WINDOW_MINUTES } from './rate-limit'

/** The one message for an unknown email and a wrong password: no account enumeration. */
export const INVALID_CREDENTIALS_MESSAGE = 'Email or password is incorrect.'

/** Sign-in or sign-up while the database is away: nothing was checked, nothing was saved. */
export const DATABASE_UNAVAILABLE_MESSAGE =
  'The database is not answering, so nothing was checked or saved. Try again in a moment.'

/** A sign-up whose connection was lost after the account's insert was sent: it may exist. */
export const SIGN_UP_UNCONFIRMED_MESSAGE =
  'The database stopped answering, and your account may have been created. Try signing in in a moment.'

export function tooManyAttemptsMessage(minutes: number): string {
  return `Too many attempts, try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`
}

/** The Auth.js error code of a refused attempt, carrying the wait: `too_many_attempts_15m`. */
export function tooManyAttemptsCode(minutes: number): string {
  return `too_many_attempts_${minutes}m`
}

/**
 * The wait a `code` from the sign-in page's URL names, within 1..15 minutes (the URL is typed
 * by anyone; a code without a number, from an older link, means the whole window).
 */
export function retryAfterMinutesFromCode(code: unknown): number | undefined {
  if (typeof code !== 'string') return undefined
  const match = /^too_many_attempts(?:_(\d{1,3})m)?$/.exec(code)
  if (!match) return undefined
  const minutes = match[1] ? Number(match[1]) : WINDOW_MINUTES
  return Math.min(Math.max(minutes, 1), WINDOW_MINUTES)
}
