// What each customers mutation records, through the code each entry point runs (the server
// actions of app/(app)/customers/actions.ts and the route handler app/api/customers/route.ts):
// exactly one audit row and one analytics event, tagged with the request's ID and written only
// after the response, with no customer's name or email in either. Only the session lookup, the
// database handle and Next's after()/revalidatePath are replaced; server analytics go to the
// in-memory adapter, behind the same track() the app calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AnalyticsEvent } from '@/lib/analytics/adapter'
import { recordAnalyticsEvents } from '../support/analytics-events'
import type { Session } from '@/lib/auth/session'
import type { Database } from '@/lib/db'
import { auditRowsOf } from '../support/audit-rows'
import { apiRequest, form } from '../support/customer-requests'
import { createAfterQueue, inRequest } from '../support/requests'
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
const { createCustomer } = await import('@/lib/customers')

describe.each(testDatabaseKinds())('customers on $label', ({ create }) => {
  let database: TestDatabase
  let alice: Session // organization A
  const queue = createAfterQueue()
  let events: AnalyticsEvent[] = []

  beforeAll(async () => {
    events = recordAnalyticsEvents()
    database = await create()
    current.db = database.db
    current.after = queue.after
    alice = await createTestUser(database.db, 'Alice')
    await queue.flush()
  })
  afterAll(async () => {
    await database?.close()
  })
  beforeEach(async () => {
    current.session = null
    await queue.flush()
  })

  const eventsFor = (requestId: string) => events.filter((e) => e.properties.request_id === requestId)
  const auditRowsFor = (requestId: string) => auditRowsOf(database.db, requestId)

  describe('each mutation leaves exactly one audit row with the request’s ID', () => {
    it('create (drawer), update, delete, create (API)', async () => {
      current.session = alice
      const created = await inRequest('req-create', () =>
        saveCustomerAction({ status: 'idle' }, form({ name: 'Ada Lovelace', email: 'ada@example.com' })),
      )
      expect(created.status).toBe('saved')
      const id = (created as { customerId: string }).customerId

      const updated = await inRequest('req-update', () =>
        saveCustomerAction({ status: 'idle' }, form({ id, name: 'Ada Lovelace', email: 'ada@analytical.example' })),
      )
      expect(updated.status).toBe('saved')
      const deleted = await inRequest('req-delete', () => deleteCustomerAction({ status: 'idle' }, form({ id })))
      expect(deleted.status).toBe('deleted')
      const response = await inRequest('req-api', () =>
        POST(apiRequest(JSON.stringify({ name: 'Via API', email: 'api@example.com' }))),
      )
      expect(response.status).toBe(201)

      // Nothing is written or sent until the responses are done.
      for (const requestId of ['req-create', 'req-update', 'req-delete', 'req-api']) {
        expect(await auditRowsFor(requestId)).toEqual([])
        expect(eventsFor(requestId)).toEqual([])
      }
      await queue.flush()

      const expected = [
        ['req-create', 'customer.created', { source: 'manual', fields: ['name', 'email'] }],
        ['req-update', 'customer.updated', { fields: ['email'] }],
        ['req-delete', 'customer.deleted', { source: 'manual' }],
        ['req-api', 'customer.created', { source: 'api', fields: ['name', 'email'] }],
      ] as const
      for (const [requestId, action, metadata] of expected) {
        const rows = await auditRowsFor(requestId)
        expect(rows).toHaveLength(1)
        expect(rows[0]).toMatchObject({ action, org_id: alice.orgId, actor_id: alice.userId, metadata })
        expect(JSON.stringify(rows[0])).not.toMatch(/@(analytical\.)?example\.com/)
      }
      expect((await auditRowsFor('req-create'))[0]?.subject_id).toBe(id)

      // One analytics event per mutation, sent as the signed-in user, tagged with the feature,
      // the surface, the organization and the request.
      const tagged = { feature: 'customers', org_id: alice.orgId }
      const expectedEvents = [
        ['req-create', 'customer_created', { ...tagged, surface: 'customers_drawer', source: 'manual' }],
        ['req-update', 'customer_updated', { ...tagged, surface: 'customers_drawer', changed_fields: 1 }],
        ['req-delete', 'customer_deleted', { ...tagged, surface: 'customers_list' }],
        ['req-api', 'customer_created', { ...tagged, surface: 'api', source: 'api' }],
      ] as const
      for (const [requestId, event, properties] of expectedEvents) {
        expect(eventsFor(requestId)).toEqual([
          { event, distinctId: alice.userId, properties: { ...properties, request_id: requestId } },
        ])
      }
      expect(JSON.stringify(events)).not.toMatch(/@(analytical\.)?example\.com|Ada Lovelace|Via API/)
    })

    it('an edit that changes nothing writes nothing and records nothing', async () => {
      current.session = alice
      const customer = await createCustomer(database.db, alice, { name: 'Same', email: 'same@example.com' }, 'manual')
      await queue.flush()
      const state = await inRequest('req-noop', () =>
        saveCustomerAction({ status: 'idle' }, form({ id: customer.id, name: ' Same ', email: 'same@example.com' })),
      )
      expect(state.status).toBe('saved')
      await queue.flush()
      expect(await auditRowsFor('req-noop')).toEqual([])
      expect(eventsFor('req-noop')).toEqual([])
    })
  })
})
