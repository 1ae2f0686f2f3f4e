// What the sign-in and sign-up actions (app/(auth)/actions.ts) answer with a message rather
// than rethrow: the errors authorize() throws for refused credentials, not anything else.
import { describe, expect, it } from 'vitest'

const { InvalidCredentials, isAuthError, TooManyAttempts } = await import('@/lib/auth/nextauth')

describe('isAuthError', () => {
  it('recognises the refusals authorize() throws', () => {
    expect(isAuthError(new InvalidCredentials())).toBe(true)
    expect(isAuthError(new TooManyAttempts(15))).toBe(true)
  })

  it('lets anything else through, so it is rethrown', () => {
    expect(isAuthError(new Error('database down'))).toBe(false)
    expect(
      isAuthError(Object.assign(new Error('NEXT_REDIRECT'), { digest: 'NEXT_REDIRECT;replace;/customers;307;' })),
    ).toBe(false)
    expect(isAuthError(undefined)).toBe(false)
  })
})
