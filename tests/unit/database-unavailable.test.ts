// isDatabaseUnavailable decides between a 503 (retry later) and a 500 (a bug): the connection
// failures postgres.js reports, bare or wrapped by Drizzle, and the statements the server stopped
// for a timeout are the first; a query error is not.
import { CallbackRouteError } from '@auth/core/errors'
import { DrizzleQueryError } from 'drizzle-orm/errors'
import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable, mayHaveCommitted } from '@/lib/db/unavailable'

// As Auth.js wraps an error thrown in authorize() (its constructor's types only admit a message).
const wrappedByAuthJs = (error: Error) => new (CallbackRouteError as unknown as new (error: Error) => Error)(error)

const withCode = (code: string) => Object.assign(new Error(code), { code })

describe('isDatabaseUnavailable', () => {
  it.each(['CONNECTION_CLOSED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', '08006', '57P01', '57P03'])(
    '%s is the database being unavailable',
    (code) => expect(isDatabaseUnavailable(withCode(code))).toBe(true),
  )

  it('looks through Drizzle’s wrapper to the driver’s error', () => {
    const wrapped = new DrizzleQueryError('insert into "customers" ...', [], withCode('CONNECTION_CLOSED'))
    expect(isDatabaseUnavailable(wrapped)).toBe(true)
  })

  it.each(['55P03', '57014'])(
    '%s, a statement the server stopped (lock_timeout, statement_timeout), is the database not answering',
    (code) => expect(isDatabaseUnavailable(new DrizzleQueryError('select', [], withCode(code)))).toBe(true),
  )

  it.each(['23505', '22P02', '42P01'])('query error %s is not', (code) => {
    expect(isDatabaseUnavailable(new DrizzleQueryError('select', [], withCode(code)))).toBe(false)
  })

  it('looks through Auth.js’s wrapper (a failed query while checking a password is a CallbackRouteError)', () => {
    const failedLookup = new DrizzleQueryError('select ...', [], withCode('ECONNREFUSED'))
    expect(isDatabaseUnavailable(wrappedByAuthJs(failedLookup))).toBe(true)
    // The shape alone, { cause: { err } }, with nothing copied beside `err`.
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: { err: failedLookup } }))).toBe(true)
    expect(isDatabaseUnavailable(wrappedByAuthJs(new Error('a bug in authorize()')))).toBe(false)
  })

  it('an error without a code, or no error at all, is not', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
  })
})

describe('mayHaveCommitted', () => {
  it.each(['CONNECTION_CLOSED', 'ECONNRESET', 'EPIPE', '57P01', '08006'])(
    '%s: the connection went after the statement was sent, so it may have committed',
    (code) => expect(mayHaveCommitted(new DrizzleQueryError('insert', [], withCode(code)))).toBe(true),
  )

  it.each(['ECONNREFUSED', 'CONNECT_TIMEOUT', 'ENOTFOUND', 'CONNECTION_ENDED'])(
    '%s: the connection never opened, so nothing ran',
    (code) => expect(mayHaveCommitted(new DrizzleQueryError('insert', [], withCode(code)))).toBe(false),
  )

  it.each(['55P03', '57014'])('%s: the server stopped the statement, so it changed nothing', (code) =>
    expect(mayHaveCommitted(new DrizzleQueryError('insert', [], withCode(code)))).toBe(false),
  )

  it('a query error is an answer, not a lost one', () => {
    expect(mayHaveCommitted(new DrizzleQueryError('insert', [], withCode('23505')))).toBe(false)
  })
})
