// The rules and words of the email and password forms: what a password must be, how long a
// refused person is told to wait, and how that wait travels through the sign-in page's URL. The
// words are read where a person reads them: the sign-in page, rendered as the server renders it
// (only the session lookup is replaced: nobody is signed in).
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { retryAfterMinutesFromCode, tooManyAttemptsCode, tooManyAttemptsMessage } from '@/lib/auth/sign-in-messages'
import { passwordSchema } from '@/lib/auth/password'

vi.mock('@/lib/auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth')>()),
  getSession: async () => null,
}))

const { default: SignInPage } = await import('@/app/(auth)/sign-in/page')

/** The alert the sign-in page shows when Auth.js sends someone to it with these query parameters. */
async function signInAlert(searchParams: Record<string, string>): Promise<string | undefined> {
  const html = renderToString(await SignInPage({ searchParams: Promise.resolve(searchParams) } as never))
  return /<p role="alert"[^>]*>([^<]*)<\/p>/.exec(html)?.[1]
}

describe('password rules', () => {
  it('needs at least 10 characters and at most 72 bytes (what bcrypt reads)', () => {
    expect(passwordSchema.safeParse('123456789').success).toBe(false)
    expect(passwordSchema.safeParse('1234567890').success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(72)).success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(73)).success).toBe(false)
    expect(passwordSchema.safeParse('é'.repeat(37)).success).toBe(false) // 74 bytes
  })

  it('says how many minutes to wait, in words a person reads', async () => {
    expect(tooManyAttemptsMessage(15)).toBe('Too many attempts, try again in 15 minutes.')
    expect(tooManyAttemptsMessage(1)).toBe('Too many attempts, try again in 1 minute.')
    // A wrong password or an unknown email posted straight to Auth.js, and a refused attempt.
    expect(await signInAlert({ error: 'CredentialsSignin', code: 'invalid_credentials' })).toBe(
      'Email or password is incorrect.',
    )
    expect(await signInAlert({ error: 'CredentialsSignin', code: tooManyAttemptsCode(4) })).toBe(
      'Too many attempts, try again in 4 minutes.',
    )
  })

  it('carries the wait through the sign-in page URL, held to the window whatever the URL says', () => {
    expect(tooManyAttemptsCode(4)).toBe('too_many_attempts_4m')
    expect(retryAfterMinutesFromCode(tooManyAttemptsCode(4))).toBe(4)
    expect(retryAfterMinutesFromCode('too_many_attempts_999m')).toBe(15)
    expect(retryAfterMinutesFromCode('too_many_attempts_0m')).toBe(1)
    expect(retryAfterMinutesFromCode('too_many_attempts')).toBe(15) // an older link: the whole window
    expect(retryAfterMinutesFromCode('invalid_credentials')).toBeUndefined()
    expect(retryAfterMinutesFromCode(['too_many_attempts_4m'])).toBeUndefined()
    expect(retryAfterMinutesFromCode(undefined)).toBeUndefined()
  })
})
