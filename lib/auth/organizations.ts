// Organizations and memberships: every user belongs to one from their first sign-in, and every
// read and write of app data is scoped to the organization in their session.
import 'server-only'
import { eq } from 'drizzle-orm'
import type { Database } from '../db'
import { memberships, organizations, users } from '../db/schema'

type Tx = Parameters<Parameters<Database['transaction']>[0]>[0]

export function organizationNameFor(userName: string | null | undefined): string {
  const first = userName?.trim().split(/\s+/)[0]
  return first ? `${first}'s organization` : 'My organization'
}

/** Creates an organization owned by `userId`, inside the caller's transaction. */
export async function createOwnedOrganization(
  tx: Tx | Database,
  userId: string,
  userName: string | null,
): Promise<string> {
  const [org] = await tx
    .insert(organizations)
    .values({ name: organizationNameFor(userName) })
    .returning({ id: organizations.id })
  if (!org) throw new Error('organization insert returned no row')
  await tx.insert(memberships).values({ orgId: org.id, userId, role: 'owner' })
  return org.id
}

/**
 * The organization a user works in: their oldest membership. A user without one (signed up
 * through OAuth, where Auth.js creates the user) gets their own organization here. The user
 * row is locked so two concurrent first sign-ins cannot create two organizations.
 */
export async function ensureOrganization(db: Database, userId: string): Promise<string> {
  const existing = await organizationIdFor(db, userId)
  if (existing) return existing
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId)).for('update')
    if (!user) throw new Error('cannot create an organization for a user that does not exist')
    const again = await organizationIdFor(tx, userId)
    return again ?? createOwnedOrganization(tx, userId, user.name)
  })
}

export async function organizationIdFor(db: Tx | Database, userId: string): Promise<string | undefined> {
  const [membership] = await db
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(memberships.createdAt)
    .limit(1)
  return membership?.orgId
}
