// The rules and words of the email and password forms: what a password must be, how long a
// refused person is told to wait, and how that wait travels through the sign-in page's URL.
import { describe, expect, it } from 'vitest'
import { INVALID_CREDENTIALS_MESSAGE, retryAfterMinutesFromCode, tooManyAttemptsCode, tooManyAttemptsMessage } from '@/lib/auth/credentials'
import { passwordSchema } from '@/lib/auth/password'

describe('password rules', () => {
  it('needs at least 10 characters and at most 72 bytes (what bcrypt reads)', () => {
    expect(passwordSchema.safeParse('123456789').success).toBe(false)
    expect(passwordSchema.safeParse('1234567890').success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(72)).success).toBe(true)
    expect(passwordSchema.safeParse('a'.repeat(73)).success).toBe(false)
    expect(passwordSchema.safeParse('é'.repeat(37)).success).toBe(false) // 74 bytes
  })

  it('says how many minutes to wait, in words a person reads', () => {
    expect(tooManyAttemptsMessage(15)).toBe('Too many attempts, try again in 15 minutes.')
    expect(tooManyAttemptsMessage(1)).toBe('Too many attempts, try again in 1 minute.')
    expect(INVALID_CREDENTIALS_MESSAGE).toBe('Email or password is incorrect.')
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
