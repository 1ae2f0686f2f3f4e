// Users and organizations for integration tests, created directly (no bcrypt) so a test can
// have several organizations cheaply.
import { randomBytes } from 'node:crypto'
import { createOwnedOrganization } from '@/lib/auth/organizations'
import type { Session } from '@/lib/auth/session'
import type { Database } from '@/lib/db'
import { memberships, users } from '@/lib/db/schema'

export async function createTestUser(db: Database, name: string): Promise<Session> {
  const email = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}@example.test`
  const [user] = await db.insert(users).values({ name, email }).returning({ id: users.id })
  if (!user) throw new Error('no user')
  const orgId = await createOwnedOrganization(db, user.id, name)
  return { userId: user.id, orgId, role: 'owner', name, email }
}

/** A user who is a `member` (not owner) of `orgId`, and of no other organization. */
export async function createTestMember(db: Database, orgId: string, name: string): Promise<Session> {
  const email = `${name.toLowerCase()}-${randomBytes(3).toString('hex')}@example.test`
  const [user] = await db.insert(users).values({ name, email }).returning({ id: users.id })
  if (!user) throw new Error('no user')
  await db.insert(memberships).values({ orgId, userId: user.id, role: 'member' })
  return { userId: user.id, orgId, role: 'member', name, email }
}
