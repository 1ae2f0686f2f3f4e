// A NUL (or any control character, or a bidirectional override) in a name or an email, found by the bad-input fuzzing
// (tests/reliability/bad-input.test.ts): PostgreSQL text cannot hold NUL, so it used to reach
// the database and come back a 500. Each entry point now refuses it as a field a person can fix,
// and writes nothing.
import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Session } from '@/lib/auth/session'
import { customers, users } from '@/lib/db/schema'
import { apiRequest } from '../support/customer-requests'
import { createAfterQueue } from '../support/requests'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'
import { createTestUser } from '../support/fixtures'

const current = vi.hoisted(() => ({ after: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))

const { authenticate, registerUser } = await import('@/lib/auth/credentials')
const { createCustomerFromRequest, parseCustomerInput } = await import('@/lib/customers')

const PASSWORD = 'correct horse battery'
// The bidirectional overrides and isolates make a name display as other text than it is (the
// first shows as "Ada Lovelace"); a C1 control (U+0085) is a line break to some readers.
const CONTROLS = [
  'Ada\u0000',
  'Ada\u0000Lovelace',
  'Ada\u0001',
  'Ada\u007f',
  'Ada\nLovelace',
  'Ada\u0085Lovelace',
  '\u202eecalevoL adA',
  'Ada \u2066Lovelace\u2069',
]

describe.each(testDatabaseKinds())('control characters on $label', ({ create }) => {
  let database: TestDatabase
  let owner: Session
  const queue = createAfterQueue()
  beforeAll(async () => {
    database = await create()
    current.after = queue.after
    owner = await createTestUser(database.db, 'Owner')
  })
  afterAll(async () => {
    await database?.close()
  })

  const rows = async (table: typeof users | typeof customers) =>
    (await database.db.select({ n: count() }).from(table))[0]!.n

  it('sign-up refuses a name with a control character as a field error, and creates no account', async () => {
    const before = await rows(users)
    for (const name of CONTROLS) {
      const result = await registerUser(
        database.db,
        { name, email: 'ada@example.com', password: PASSWORD },
        { ip: '203.0.113.7' },
      )
      expect(result, JSON.stringify(name)).toEqual({
        ok: false,
        fieldErrors: { name: [expect.stringMatching(/^Remove the (tab|line break|invisible .*\(U\+[0-9A-F]{4}\))/)] },
      })
    }
    expect(await rows(users)).toBe(before)
  })

  it('sign-in with a NUL in the email is an unknown email, not a database error', async () => {
    const result = await authenticate(database.db, {
      email: 'ada\u0000@example.com',
      password: PASSWORD,
      ip: '203.0.113.8',
    })
    expect(result).toEqual({ ok: false, reason: 'invalid' })
  })

  it('POST /api/customers answers 400 with the name field for a control character, and adds no row', async () => {
    const before = await rows(customers)
    for (const name of CONTROLS) {
      const response = await createCustomerFromRequest(
        database.db,
        owner,
        apiRequest(JSON.stringify({ name, email: 'c@example.com' })),
      )
      expect(response.status, JSON.stringify(name)).toBe(400)
      expect(await response.json()).toEqual({
        error: 'invalid_fields',
        fieldErrors: { name: [expect.stringMatching(/^Remove the (tab|line break|invisible .*\(U\+[0-9A-F]{4}\))/)] },
      })
    }
    expect(await rows(customers)).toBe(before)
  })

  it('right-to-left names and their marks are not control characters', () => {
    for (const name of ['مريم الحسن', 'Ada\u200fLovelace', 'دانا\u200e 2', '\u061cسارا'])
      expect(parseCustomerInput({ name, email: 'rtl@example.com' }), JSON.stringify(name)).toMatchObject({ ok: true })
  })

  it('the customer form gets the same rule (one schema)', () => {
    expect(parseCustomerInput({ name: 'Bo\u0000', email: 'bo@example.com' })).toEqual({
      ok: false,
      fieldErrors: { name: ['Remove the invisible control character (U+0000); it may have come with pasted text'] },
    })
  })

  it('says which character to remove: they are invisible, and most come with pasted text', () => {
    const nameError = (name: string) => {
      const parsed = parseCustomerInput({ name, email: 'bo@example.com' })
      return parsed.ok ? undefined : parsed.fieldErrors.name?.[0]
    }
    expect(nameError('Ada\tLovelace')).toBe('Remove the tab; it may have come with pasted text')
    expect(nameError('Ada\nLovelace')).toBe('Remove the line break; it may have come with pasted text')
    expect(nameError('\u202eevil name')).toBe(
      'Remove the invisible text-direction character (U+202E); it may have come with pasted text',
    )
    expect(nameError('Ada\u0085')).toBe(
      'Remove the invisible control character (U+0085); it may have come with pasted text',
    )
  })
})
