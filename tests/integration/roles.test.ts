// Roles through every entry point that mutates customers: the drawer's and the list's server
// actions, the JSON API and the lib functions behind them. The owner may create, edit and
// delete; a member may create and edit, not delete. The page offers only what the role allows,
// and the server refuses the rest whatever the browser sends.
import { eq, sql } from 'drizzle-orm'
import { renderToString } from 'react-dom/server'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Session } from '@/lib/auth/session'
import type { Database } from '@/lib/db'
import { customers } from '@/lib/db/schema'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'
import { createTestMember, createTestUser } from '../support/fixtures'

const current = vi.hoisted(() => ({
  session: null as Session | null,
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
}))
vi.mock('@/lib/auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth')>()),
  getSession: async () => current.session,
  requireSession: async () => current.session,
}))
// Only the handle: the rest of lib/db (rowsOf…) is the real thing.
vi.mock('@/lib/db', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db')>()),
  getDb: async () => current.db,
}))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))
vi.mock('next/cache', () => ({ revalidatePath: () => {} }))

const { saveCustomerAction, deleteCustomerAction } = await import('@/app/(app)/customers/actions')
const { POST } = await import('@/app/api/customers/route')
const { default: CustomersPage } = await import('@/app/(app)/customers/page')
const { createCustomer, deleteCustomer } = await import('@/lib/customers')
const { NotPermitted } = await import('@/lib/auth/permissions')

function form(fields: Record<string, string>): FormData {
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.set(name, value)
  return data
}

describe.each(testDatabaseKinds())('roles on $label', ({ create }) => {
  let database: TestDatabase
  let owner: Session
  let member: Session
  const queue = createAfterQueue()

  beforeAll(async () => {
    database = await create()
    current.db = database.db
    current.after = queue.after
    owner = await createTestUser(database.db, 'Olive')
    member = await createTestMember(database.db, owner.orgId, 'Milo')
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    await queue.flush()
  })

  const newCustomer = async (name: string) =>
    (await createCustomer(database.db, owner, { name, email: `${name.toLowerCase()}@c.example` }, 'manual')).id
  const exists = async (id: string) => (await database.db.$count(customers, eq(customers.id, id))) === 1
  const auditActionsFor = async (requestId: string) =>
    rowsOf<{ action: string }>(
      await database.db.execute(sql`select action from audit_log where request_id = ${requestId}`),
    ).map((row) => row.action)

  const asRole = { owner: () => owner, member: () => member }

  describe.each(['owner', 'member'] as const)('as %s', (role) => {
    beforeEach(() => {
      current.session = asRole[role]()
    })

    it('creates a customer in the drawer', async () => {
      const state = await inRequest(`req-${role}-create`, () =>
        saveCustomerAction({ status: 'idle' }, form({ name: `By ${role}`, email: `${role}@c.example` })),
      )
      expect(state).toMatchObject({ status: 'saved' })
      await queue.flush()
      expect(await auditActionsFor(`req-${role}-create`)).toEqual(['customer.created'])
    })

    it('creates a customer through the API', async () => {
      const response = await POST(
        new Request('http://localhost/api/customers', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `API by ${role}`, email: `api-${role}@c.example` }),
        }),
      )
      expect(response.status).toBe(201)
    })

    it('edits a customer', async () => {
      const id = await newCustomer(`Edit${role}`)
      const state = await saveCustomerAction(
        { status: 'idle' },
        form({ id, name: `Edited by ${role}`, email: 'edited@c.example' }),
      )
      expect(state).toEqual({ status: 'saved', customerId: id })
    })
  })

  it('the owner deletes a customer', async () => {
    current.session = owner
    const id = await newCustomer('Doomed')
    const state = await inRequest('req-owner-delete', () => deleteCustomerAction({ status: 'idle' }, form({ id })))
    expect(state).toEqual({ status: 'deleted' })
    expect(await exists(id)).toBe(false)
    await queue.flush()
    expect(await auditActionsFor('req-owner-delete')).toEqual(['customer.deleted'])
  })

  it('a member’s delete is refused with a message, and nothing is deleted or recorded', async () => {
    current.session = member
    const id = await newCustomer('Kept')
    await queue.flush()
    const state = await inRequest('req-member-delete', () => deleteCustomerAction({ status: 'idle' }, form({ id })))
    expect(state).toEqual({ status: 'refused', message: 'Only an owner of your organization can delete customers.' })
    expect(await exists(id)).toBe(true)
    await queue.flush()
    expect(await auditActionsFor('req-member-delete')).toEqual([])
    // The rule holds below the actions too, for any code that calls the lib directly.
    await expect(deleteCustomer(database.db, member, id)).rejects.toBeInstanceOf(NotPermitted)
    expect(await exists(id)).toBe(true)
  })

  it('the customers page offers Delete to the owner only; both may add and edit', async () => {
    await newCustomer('Listed')
    const render = async (session: Session) => {
      current.session = session
      return renderToString(await CustomersPage({ searchParams: Promise.resolve({}) } as never))
    }
    const asOwner = await render(owner)
    const asMember = await render(member)
    for (const html of [asOwner, asMember]) {
      expect(html).toContain('New customer')
      expect(html).toContain('aria-label="Edit Listed"')
    }
    expect(asOwner).toContain('aria-label="Delete Listed"')
    expect(asMember).not.toContain('aria-label="Delete')
  })
})
