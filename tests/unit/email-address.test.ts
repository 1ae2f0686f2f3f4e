// The one rule for a deliverable email address (lib/email-address.ts), at each of its limits,
// and that a form gets one message at a time. Sign-up and customers use it: auth.test.ts and
// customers.test.ts check the rule reaches their forms.
import { describe, expect, it } from 'vitest'
import { EMAIL_MAX_LENGTH, emailAddressSchema } from '@/lib/email-address'

const messagesFor = (value: unknown) => emailAddressSchema.safeParse(value).error?.issues.map((issue) => issue.message)

const LOCAL_PART = 'The part before @ can be at most 64 characters'
const LABEL = 'Each part of the domain between dots can be at most 63 characters'

describe('emailAddressSchema', () => {
  it('takes 64 characters before the @ and refuses 65', () => {
    expect(messagesFor(`${'a'.repeat(64)}@example.com`)).toBeUndefined()
    expect(messagesFor(`${'a'.repeat(65)}@example.com`)).toEqual([LOCAL_PART])
    // Dots count: the limit is on the whole part, not a piece of it.
    expect(messagesFor(`${'a'.repeat(32)}.${'b'.repeat(32)}@example.com`)).toEqual([LOCAL_PART])
  })

  it('takes 63 characters in a label of the domain and refuses 64, in any label', () => {
    expect(messagesFor(`a@${'b'.repeat(63)}.example.com`)).toBeUndefined()
    expect(messagesFor(`a@${'b'.repeat(64)}.example.com`)).toEqual([LABEL])
    expect(messagesFor(`a@example.${'c'.repeat(64)}`)).toEqual([LABEL])
  })

  it(`takes ${EMAIL_MAX_LENGTH} characters in all and refuses ${EMAIL_MAX_LENGTH + 1}, with that message alone`, () => {
    const longest = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`
    expect(longest).toHaveLength(EMAIL_MAX_LENGTH)
    expect(messagesFor(longest)).toBeUndefined()
    // Also over the part limit: the length is named first, and alone.
    expect(messagesFor(`${'a'.repeat(EMAIL_MAX_LENGTH)}@x.com`)).toEqual([`Use at most ${EMAIL_MAX_LENGTH} characters`])
  })

  it('answers both part limits at once, and neither for what is not an address', () => {
    expect(messagesFor(`${'a'.repeat(65)}@${'b'.repeat(64)}.com`)).toEqual([LOCAL_PART, LABEL])
    expect(messagesFor(`${'a'.repeat(65)}@localhost`)).toEqual(['Enter a valid email address'])
    for (const value of [undefined, 5, null, ''])
      expect(messagesFor(value), String(value)).toEqual(['Enter a valid email address'])
  })

  it('keeps the case it is given (lowercasing is the caller’s choice)', () => {
    expect(emailAddressSchema.parse('Ada@Example.COM')).toBe('Ada@Example.COM')
  })
})
