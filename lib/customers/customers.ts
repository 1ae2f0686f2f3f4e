// The customers feature's rules. Every function takes the actor (user, organization and role
// from the session) and scopes each query to that organization: a customer ID from another
// organization behaves exactly like one that does not exist. Each mutation first asks the
// role table (lib/auth/permissions.ts) and throws NotPermitted before touching anything.
import 'server-only'
import { and, count, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { randomUUID } from 'node:crypto'
import { auditedMutation, logAuditEvent, type AuditEvent } from '../audit'
import { track } from '../analytics'
import { assertCan, refuseControlCharacters, type Actor } from '../auth'
import type { Database } from '../db'
import { customers } from '../db/schema'
import { emailAddressSchema } from '../email-address'
import { clampPage } from '../pagination'

export type Customer = typeof customers.$inferSelect
export type CustomerSource = Customer['source']

export const CUSTOMERS_PAGE_SIZE = 20

const trimmed = (value: unknown) => (typeof value === 'string' ? value.trim() : value)

export const customerInputSchema = z.object({
  name: z.preprocess(
    trimmed,
    z
      .string('Enter a name')
      .min(1, 'Enter a name')
      .max(200, 'Use at most 200 characters')
      // PostgreSQL text cannot hold NUL (it was a 500); no other control character belongs in a name.
      .superRefine(refuseControlCharacters),
  ),
  // As typed, case kept: unlike an account's address it names nobody at sign-in and is looked up
  // by nothing, so lowercasing would only change what the user wrote.
  email: z.preprocess(trimmed, emailAddressSchema),
})

export type CustomerInput = z.infer<typeof customerInputSchema>
export type CustomerFieldErrors = Partial<Record<keyof CustomerInput, string[]>>

export function parseCustomerInput(
  data: unknown,
): { ok: true; input: CustomerInput } | { ok: false; fieldErrors: CustomerFieldErrors } {
  // A JSON array, string or null is answered field by field, like an empty object.
  const fields = data && typeof data === 'object' && !Array.isArray(data) ? data : {}
  const parsed = customerInputSchema.safeParse(fields)
  return parsed.success
    ? { ok: true, input: parsed.data }
    : { ok: false, fieldErrors: z.flattenError(parsed.error).fieldErrors }
}

/** Not a UUID means not found (and keeps a malformed ID from becoming a database error). */
const isId = (id: string) => z.uuid().safeParse(id).success

const inOrg = (actor: Actor, id: string) => and(eq(customers.id, id), eq(customers.orgId, actor.orgId))

export async function listCustomers(
  db: Database,
  actor: Actor,
  { page = 1 }: { page?: number } = {},
): Promise<{ customers: Customer[]; page: number; pageCount: number; total: number }> {
  const [totals] = await db.select({ total: count() }).from(customers).where(eq(customers.orgId, actor.orgId))
  const total = totals?.total ?? 0
  const { page: current, pageCount } = clampPage(page, total, CUSTOMERS_PAGE_SIZE)
  const rows = await db
    .select()
    .from(customers)
    .where(eq(customers.orgId, actor.orgId))
    .orderBy(desc(customers.createdAt), desc(customers.id))
    .limit(CUSTOMERS_PAGE_SIZE)
    .offset((current - 1) * CUSTOMERS_PAGE_SIZE)
  return { customers: rows, page: current, pageCount, total }
}

export async function getCustomer(db: Database, actor: Actor, id: string): Promise<Customer | null> {
  if (!isId(id)) return null
  const [row] = await db.select().from(customers).where(inOrg(actor, id)).limit(1)
  return row ?? null
}

export async function createCustomer(
  db: Database,
  actor: Actor,
  input: CustomerInput,
  source: CustomerSource,
): Promise<Customer> {
  assertCan(actor, 'customer.create')
  // The ID is chosen here, not by the database, so a create whose answer is lost can be named.
  const id = randomUUID()
  const audit: AuditEvent = {
    action: 'customer.created',
    orgId: actor.orgId,
    actorId: actor.userId,
    subject: { type: 'customer', id },
    metadata: { source, fields: Object.keys(input) },
  }
  const [customer] = await auditedMutation(db, audit, () =>
    db.insert(customers).values({ id, orgId: actor.orgId, name: input.name, email: input.email, source }).returning(),
  )
  if (!customer) throw new Error('customer insert returned no row')
  await track(
    'customer_created',
    { feature: 'customers', surface: source === 'api' ? 'api' : 'customers_drawer', source, org_id: actor.orgId },
    { distinctId: actor.userId },
  )
  return customer
}

/**
 * Applies `input`; resolves to null when the customer is not in the actor's organization.
 * Only a real change is written and audited, with the names of the changed fields.
 */
export async function updateCustomer(
  db: Database,
  actor: Actor,
  id: string,
  input: CustomerInput,
): Promise<{ customer: Customer; changed: (keyof CustomerInput)[] } | null> {
  assertCan(actor, 'customer.update')
  if (!isId(id)) return null
  const result = await db.transaction(async (tx) => {
    const [current] = await tx.select().from(customers).where(inOrg(actor, id)).for('update')
    if (!current) return null
    const changed = (Object.keys(input) as (keyof CustomerInput)[]).filter((field) => current[field] !== input[field])
    if (changed.length === 0) return { customer: current, changed }
    const [customer] = await tx
      .update(customers)
      .set({ ...input, updatedAt: new Date() })
      .where(inOrg(actor, id))
      .returning()
    return customer ? { customer, changed } : null
  })
  if (result && result.changed.length > 0) {
    await logAuditEvent(db, {
      action: 'customer.updated',
      orgId: actor.orgId,
      actorId: actor.userId,
      subject: { type: 'customer', id },
      metadata: { fields: result.changed },
    })
    await track(
      'customer_updated',
      { feature: 'customers', surface: 'customers_drawer', changed_fields: result.changed.length, org_id: actor.orgId },
      { distinctId: actor.userId },
    )
  }
  return result
}

/** Resolves to false when the customer is not in the actor's organization. */
export async function deleteCustomer(db: Database, actor: Actor, id: string): Promise<boolean> {
  assertCan(actor, 'customer.delete')
  if (!isId(id)) return false
  const audit: AuditEvent = {
    action: 'customer.deleted',
    orgId: actor.orgId,
    actorId: actor.userId,
    subject: { type: 'customer', id },
  }
  const [deleted] = await auditedMutation(
    db,
    audit,
    () => db.delete(customers).where(inOrg(actor, id)).returning({ id: customers.id, source: customers.source }),
    ([row]) => (row ? { source: row.source } : null), // nothing deleted, nothing to record
  )
  if (!deleted) return false
  await track(
    'customer_deleted',
    { feature: 'customers', surface: 'customers_list', org_id: actor.orgId },
    { distinctId: actor.userId },
  )
  return true
}
