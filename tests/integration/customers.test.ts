// The customers feature through the code each entry point runs: the lib functions pages call,
// the server actions themselves (app/(app)/customers/actions.ts) and the route handler
// (app/api/customers/route.ts). Only the session lookup, the database handle and Next's
// after()/revalidatePath are replaced, so each case states whose session is asking: who may
// reach which customers, what is refused, and how the list pages. What each mutation records
// (audit rows, analytics events): customers-audit.test.ts.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Session } from '@/lib/auth/session'
import type { Database } from '@/lib/db'
import { customers } from '@/lib/db/schema'
import { apiRequest, form } from '../support/customer-requests'
import { createAfterQueue } from '../support/requests'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'
import { createTestUser } from '../support/fixtures'

const current = vi.hoisted(() => ({
  session: null as Session | null,
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
}))
// Only the session lookup: lib/customers checks roles through lib/auth's real entry point.
vi.mock('@/lib/auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth')>()),
  getSession: async () => current.session,
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
const { createCustomer, deleteCustomer, getCustomer, listCustomers, updateCustomer, CUSTOMERS_PAGE_SIZE } =
  await import('@/lib/customers')
const { listAuditEvents } = await import('@/lib/audit')

describe.each(testDatabaseKinds())('customers on $label', ({ create }) => {
  let database: TestDatabase
  let alice: Session // organization A
  let bob: Session // organization B
  let bobsCustomerId: string
  const queue = createAfterQueue()

  beforeAll(async () => {
    database = await create()
    current.db = database.db
    current.after = queue.after
    alice = await createTestUser(database.db, 'Alice')
    bob = await createTestUser(database.db, 'Bob')
    bobsCustomerId = (
      await createCustomer(database.db, bob, { name: 'Bob Customer', email: 'secret@b.example' }, 'manual')
    ).id
    await queue.flush()
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    current.session = null
    await queue.flush()
  })

  const bobsCustomer = async () =>
    (await database.db.select().from(customers).where(eq(customers.id, bobsCustomerId)))[0]

  describe('organization A cannot reach organization B’s customers', () => {
    it('through the page reads (list, detail, history)', async () => {
      const list = await listCustomers(database.db, alice)
      expect(list.customers.map((c) => c.id)).not.toContain(bobsCustomerId)
      expect(await getCustomer(database.db, alice, bobsCustomerId)).toBeNull()
      const history = await listAuditEvents(database.db, alice.orgId, {
        subject: { type: 'customer', id: bobsCustomerId },
      })
      expect(history.entries).toEqual([])
      // …while Bob sees his own.
      expect((await getCustomer(database.db, bob, bobsCustomerId))?.name).toBe('Bob Customer')
    })

    it('through the edit action', async () => {
      current.session = alice
      const state = await saveCustomerAction(
        { status: 'idle' },
        form({ id: bobsCustomerId, name: 'Taken over', email: 'evil@a.example' }),
      )
      // What a deleted customer's editor is told: nothing says Bob's customer exists.
      expect(state).toEqual({
        status: 'gone',
        message:
          'This customer was deleted, in another tab or by someone else in your organization, so your changes were not saved.',
        values: { name: 'Taken over', email: 'evil@a.example' },
      })
      expect(await bobsCustomer()).toMatchObject({ name: 'Bob Customer', email: 'secret@b.example' })
      expect(await updateCustomer(database.db, alice, bobsCustomerId, { name: 'x', email: 'x@x.example' })).toBeNull()
    })

    it('through the delete action', async () => {
      current.session = alice
      const state = await deleteCustomerAction({ status: 'idle' }, form({ id: bobsCustomerId }))
      expect(state).toEqual({
        status: 'gone',
        message: 'This customer was already deleted, in another tab or by someone else in your organization.',
      })
      expect(await deleteCustomer(database.db, alice, bobsCustomerId)).toBe(false)
      expect(await bobsCustomer()).toBeDefined()
    })

    it('through the API: an organization ID in the body is ignored', async () => {
      current.session = alice
      const response = await POST(
        apiRequest(JSON.stringify({ name: 'Planted', email: 'p@a.example', orgId: bob.orgId, source: 'manual' })),
      )
      expect(response.status).toBe(201)
      const { customer } = (await response.json()) as { customer: { id: string; source: string } }
      expect(customer.source).toBe('api')
      const [row] = await database.db.select().from(customers).where(eq(customers.id, customer.id))
      expect(row?.orgId).toBe(alice.orgId)
      expect(await getCustomer(database.db, bob, customer.id)).toBeNull()
    })

    it('nor with an ID that is not a UUID', async () => {
      expect(await getCustomer(database.db, alice, "1' or '1'='1")).toBeNull()
      expect(await deleteCustomer(database.db, alice, '../..')).toBe(false)
    })
  })

  describe('without a session', () => {
    it('the save action writes nothing and hands back what was typed, for after signing in again', async () => {
      const before = await database.db.$count(customers)
      const created = await saveCustomerAction({ status: 'idle' }, form({ name: 'Anon', email: 'anon@example.com' }))
      const edited = await saveCustomerAction(
        { status: 'idle' },
        form({ id: bobsCustomerId, name: 'Anon', email: 'anon@example.com' }),
      )
      for (const state of [created, edited])
        expect(state).toEqual({
          status: 'signed_out',
          message: 'Your session has ended.',
          values: { name: 'Anon', email: 'anon@example.com' },
        })
      expect(await database.db.$count(customers)).toBe(before)
      expect(await bobsCustomer()).toMatchObject({ name: 'Bob Customer' })
      expect(queue.pending).toBe(0)
    })

    it('the delete action refuses', async () => {
      const state = await deleteCustomerAction({ status: 'idle' }, form({ id: bobsCustomerId }))
      expect(state).toEqual({ status: 'signed_out', message: 'Your session has ended.' })
      expect(await bobsCustomer()).toBeDefined()
    })

    it('the API answers 401 whatever the body', async () => {
      const before = await database.db.$count(customers)
      for (const body of [JSON.stringify({ name: 'Anon', email: 'anon@example.com' }), '{not json']) {
        const response = await POST(apiRequest(body))
        expect(response.status).toBe(401)
        expect(await response.json()).toMatchObject({ error: 'unauthorized' })
      }
      expect(await database.db.$count(customers)).toBe(before)
    })
  })

  describe('validation', () => {
    it('the drawer action returns field errors and what was typed', async () => {
      current.session = alice
      const state = await saveCustomerAction({ status: 'idle' }, form({ name: '  ', email: 'not-an-email' }))
      expect(state).toEqual({
        status: 'invalid',
        fieldErrors: { name: ['Enter a name'], email: ['Enter a valid email address'] },
        values: { name: '  ', email: 'not-an-email' },
      })
    })

    it('the API answers 400 for bad JSON and for bad fields, 415 for a non-JSON body', async () => {
      current.session = alice
      const badJson = await POST(apiRequest('{"name": '))
      expect(badJson.status).toBe(400)
      expect(await badJson.json()).toMatchObject({ error: 'invalid_json' })

      const badFields = await POST(apiRequest(JSON.stringify({ email: 'nope' })))
      expect(badFields.status).toBe(400)
      expect(await badFields.json()).toEqual({
        error: 'invalid_fields',
        fieldErrors: { name: ['Enter a name'], email: ['Enter a valid email address'] },
      })

      const array = await POST(apiRequest('[]'))
      expect(array.status).toBe(400)

      const formPost = await POST(apiRequest('{"name":"x","email":"x@example.com"}', 'text/plain'))
      expect(formPost.status).toBe(415)
    })

    it('an email takes 64 characters before the @ and refuses 65, in the drawer and the API, keeping its case', async () => {
      current.session = alice
      const longest = `${'A'.repeat(64)}@Example.com`
      const tooLong = `a${longest}`
      const before = await database.db.$count(customers)

      const invalid = await saveCustomerAction({ status: 'idle' }, form({ name: 'Long', email: tooLong }))
      expect(invalid).toEqual({
        status: 'invalid',
        fieldErrors: { email: ['The part before @ can be at most 64 characters'] },
        values: { name: 'Long', email: tooLong },
      })
      const refused = await POST(apiRequest(JSON.stringify({ name: 'Long', email: tooLong })))
      expect(refused.status).toBe(400)
      expect(await refused.json()).toEqual({
        error: 'invalid_fields',
        fieldErrors: { email: ['The part before @ can be at most 64 characters'] },
      })
      expect(await database.db.$count(customers)).toBe(before)

      const saved = await saveCustomerAction({ status: 'idle' }, form({ name: 'Long', email: ` ${longest} ` }))
      expect(saved).toMatchObject({ status: 'saved' })
      const created = await POST(apiRequest(JSON.stringify({ name: 'Long', email: longest })))
      expect(created.status).toBe(201)
      expect(await created.json()).toMatchObject({ customer: { email: longest } })
      const rows = await database.db.select().from(customers).where(eq(customers.email, longest))
      expect(rows).toHaveLength(2)
    })

    it('the API refuses a body over 16 KiB with 413, declared or streamed, and a body that is not UTF-8 with 400', async () => {
      current.session = alice
      const before = await database.db.$count(customers)
      const padded = JSON.stringify({ name: 'Big', email: 'big@example.com', padding: 'x'.repeat(16 * 1024) })
      const declared = await POST(apiRequest(padded))
      expect(declared.status).toBe(413)
      expect(await declared.json()).toMatchObject({ error: 'body_too_large' })
      // Streamed without a length: refused once the bytes pass the cap, not read to the end.
      let pulled = 0
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++
          controller.enqueue(new TextEncoder().encode(' '.repeat(4096)))
        },
      })
      const streamed = await POST(
        new Request('http://localhost/api/customers', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: endless,
          duplex: 'half',
        } as RequestInit),
      )
      expect(streamed.status).toBe(413)
      expect(streamed.headers.get('connection')).toBe('close')
      expect(pulled).toBeLessThan(10)
      const latin1 = await POST(
        new Request('http://localhost/api/customers', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: Uint8Array.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]), // {"é"} in Latin-1
        }),
      )
      expect(latin1.status).toBe(400)
      expect(await database.db.$count(customers)).toBe(before)
    })
  })

  it('lists newest first, a page at a time', async () => {
    const carol = await createTestUser(database.db, 'Carol')
    // One second apart: inserts a loop makes can share a timestamp (PGlite's clock counts
    // milliseconds), and a tie would fall back to the random ID's order.
    const start = Date.now() - 60_000
    for (let i = 1; i <= CUSTOMERS_PAGE_SIZE + 2; i++) {
      const { id } = await createCustomer(
        database.db,
        carol,
        { name: `Customer ${i}`, email: `c${i}@example.com` },
        'api',
      )
      await database.db
        .update(customers)
        .set({ createdAt: new Date(start + i * 1000) })
        .where(eq(customers.id, id))
    }
    await queue.flush()
    const first = await listCustomers(database.db, carol, { page: 1 })
    expect(first).toMatchObject({ page: 1, pageCount: 2, total: CUSTOMERS_PAGE_SIZE + 2 })
    expect(first.customers[0]?.name).toBe(`Customer ${CUSTOMERS_PAGE_SIZE + 2}`)
    const second = await listCustomers(database.db, carol, { page: 2 })
    expect(second.customers.map((c) => c.name)).toEqual(['Customer 2', 'Customer 1'])
    expect((await listCustomers(database.db, carol, { page: 99 })).page).toBe(2)
  })
})
