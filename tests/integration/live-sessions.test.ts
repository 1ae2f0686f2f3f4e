// The session list behind getSession(): a session is live from its sign-in until it is signed
// out or 30 days pass, and only for an organization the user is still a member of.
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { endSession, liveSessionRole, startSession } from '@/lib/auth/live-sessions'
import { memberships, sessions } from '@/lib/db/schema'
import { createTestUser } from '../support/fixtures'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'

for (const kind of testDatabaseKinds()) {
  describe(`live sessions on ${kind.label}`, () => {
    let database: TestDatabase
    beforeAll(async () => {
      database = await kind.create()
    })
    afterAll(async () => {
      await database?.close()
    })

    it('is live from sign-in until signed out, and a second session of the same user is its own', async () => {
      const user = await createTestUser(database.db, 'Live')
      const first = await startSession(database.db, user.userId)
      const second = await startSession(database.db, user.userId)
      expect(first).not.toBe(second)
      const role = (sessionId: string) => liveSessionRole(database.db, { ...user, sessionId })
      expect(await role(first)).toBe('owner')
      await endSession(database.db, first)
      expect(await role(first)).toBeUndefined()
      expect(await role(second)).toBe('owner') // signing out in one browser leaves the others
      expect(await role('never-issued')).toBeUndefined()
    })

    it('ends 30 days after sign-in, and expired rows go when the user signs in again', async () => {
      const user = await createTestUser(database.db, 'Old')
      const old = await startSession(database.db, user.userId)
      await database.db
        .update(sessions)
        .set({ expires: sql`now() - interval '1 minute'` })
        .where(eq(sessions.sessionToken, old))
      expect(await liveSessionRole(database.db, { ...user, sessionId: old })).toBeUndefined()
      await startSession(database.db, user.userId)
      expect(await database.db.$count(sessions, eq(sessions.sessionToken, old))).toBe(0)
    })

    it('is not live for an organization the user has left', async () => {
      const user = await createTestUser(database.db, 'Left')
      const sessionId = await startSession(database.db, user.userId)
      await database.db.delete(memberships).where(eq(memberships.userId, user.userId))
      expect(await liveSessionRole(database.db, { ...user, sessionId })).toBeUndefined()
    })
  })
}
