// A failed query's error reaches its caller without the values it was given: Next prints a
// server action's or a page's error itself (its `⨯` line), outside our redacted logger.
import { inspect } from 'node:util'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schema } from '@/lib/db'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'

const EMAIL = 'ada.lovelace@planted.example'
const HASH = '$2b$12$plantedplantedplantedplantedplantedplantedplanted1234'

async function failure(query: PromiseLike<unknown>): Promise<Error & { params?: unknown; cause?: unknown }> {
  try {
    await query
  } catch (error) {
    return error as Error
  }
  throw new Error('the query was expected to fail')
}

/** Everything a printer could show of the error: its inspected form (cause and all) and its fields. */
function printed(error: unknown): string {
  return `${inspect(error, { depth: 5, showHidden: false })}\n${JSON.stringify(error)}\n${String((error as Error).stack)}`
}

for (const kind of testDatabaseKinds()) {
  describe(`query errors on ${kind.label}`, () => {
    let database: TestDatabase
    beforeAll(async () => {
      database = await kind.create()
      await database.db.insert(schema.users).values({ name: 'Ada', email: EMAIL, passwordHash: HASH })
    })
    afterAll(async () => {
      await database?.close()
    })

    it('a unique violation keeps its SQL, code and columns, and loses the email and the hash', async () => {
      const error = await failure(
        database.db.insert(schema.users).values({ name: 'Ada again', email: EMAIL, passwordHash: HASH }),
      )
      const text = printed(error)
      expect(text).toContain('insert into "users"')
      expect(text).toContain('[REDACTED]')
      expect(text).not.toContain(EMAIL)
      expect(text).not.toContain(HASH)
      expect(text).not.toContain('Ada again')
      expect(error.params).toEqual(['[REDACTED]'])
      const cause = error.cause as { code?: string; detail?: string }
      expect(cause.code).toBe('23505') // callers still tell "already exists" from a bug
      if (cause.detail !== undefined) expect(cause.detail).toBe('Key (email)=([REDACTED])')
    })

    it('a value PostgreSQL quotes in its own message is taken out of it', async () => {
      const error = await failure(database.db.select().from(schema.users).where(eq(schema.users.id, EMAIL)))
      const text = printed(error)
      expect(text).toMatch(/invalid input syntax for type uuid: "\[REDACTED\]"/)
      expect(text).not.toContain(EMAIL)
    })

    it('a query that succeeds is untouched', async () => {
      const [row] = await database.db
        .select({ email: schema.users.email })
        .from(schema.users)
        .where(eq(schema.users.email, EMAIL))
      expect(row?.email).toBe(EMAIL)
    })
  })
}
