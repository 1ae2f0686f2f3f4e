// A create or a delete is one statement, which commits once PostgreSQL has run it whether or not
// the process that sent it is still there. So its audit row is owed from before the statement is
// sent: a shutdown whose deadline comes while the statement runs names the row (a fault review
// found a SIGTERM cut losing it: the customer committed after the process had exited, with no
// row and no line). A statement that changes nothing, or fails, owes nothing.
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase, type DatabaseHandle } from '@/lib/db/client'
import { rowsOf } from '@/lib/db/rows'
import { logger } from '@/lib/logs/logger'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'
import { createAfterQueue, inRequest } from '../support/requests'
import { createTestUser } from '../support/fixtures'

const afterQueue = vi.hoisted(() => ({ current: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => afterQueue.current?.(task) }))
const { createCustomer, deleteCustomer } = await import('@/lib/customers')
const { drainAuditWrites } = await import('@/lib/audit')

const serverUrl = process.env.TEST_DATABASE_URL?.trim()

describe.skipIf(!serverUrl)('audit rows of one-statement mutations under a shutdown (PostgreSQL)', () => {
  let database: ThrowawayPostgres
  let handle: DatabaseHandle
  const queue = createAfterQueue()

  beforeAll(async () => {
    afterQueue.current = queue.after
    database = await createThrowawayPostgres(serverUrl!)
    handle = await openDatabase({ driver: 'postgres', url: database.url })
    // Hold an INSERT of a customer named "Slow…" for 1 s on the server.
    await handle.db.execute(sql`
      create function hold_slow_insert() returns trigger language plpgsql as $$
      begin if new.name like 'Slow%' then perform pg_sleep(1); end if; return new; end $$`)
    await handle.db.execute(
      sql`create trigger hold_slow_insert before insert on customers for each row execute function hold_slow_insert()`,
    )
  })
  afterAll(async () => {
    await handle?.close()
    await database?.drop()
  })

  const auditRowsFor = async (subjectId: string) =>
    rowsOf<{ id: string }>(await handle.db.execute(sql`select id from audit_log where subject_id = ${subjectId}`))

  it('names the row of a create still running at the deadline, which then commits', async () => {
    const actor = await createTestUser(handle.db, 'Shutdown')
    const errors = vi.spyOn(logger, 'error')
    try {
      const create = inRequest('cut-by-shutdown', () =>
        createCustomer(handle.db, actor, { name: 'Slow Create', email: 'slow@example.com' }, 'api'),
      )
      await new Promise((resolve) => setTimeout(resolve, 300)) // the INSERT is on the server now
      expect(await drainAuditWrites(Date.now() + 100)).toEqual({ abandoned: 1 })
      const abandoned = errors.mock.calls.filter((call) => call[1] === 'audit_log_write_abandoned')
      expect(abandoned).toHaveLength(1)
      const line = abandoned[0]![0] as Record<string, unknown>
      expect(line).toMatchObject({
        request_id: 'cut-by-shutdown',
        action: 'customer.created',
        subject_type: 'customer',
        org_id: actor.orgId,
        reason: 'shutdown_deadline',
      })
      // The statement commits after the deadline: the line names the customer that exists.
      const customer = await create
      expect(customer.id).toBe(line.subject_id)
      await queue.flush()
      // Given up means given up: the row is the line's to replay, not written twice.
      expect(await auditRowsFor(customer.id)).toHaveLength(0)
    } finally {
      errors.mockRestore()
    }
  })

  it('owes nothing for a delete that found nothing, or a create that failed', async () => {
    const actor = await createTestUser(handle.db, 'Nothing')
    await inRequest('delete-nothing', () => deleteCustomer(handle.db, actor, crypto.randomUUID()))
    const failed = await inRequest('create-fails', () =>
      createCustomer(
        handle.db,
        { ...actor, orgId: crypto.randomUUID() },
        { name: 'No Such Org', email: 'none@example.com' },
        'api',
      ),
    ).then(
      () => 'created',
      (error: unknown) => error,
    )
    expect(failed).not.toBe('created') // the organization does not exist: a foreign-key violation
    expect(queue.pending).toBe(0)
    expect(await drainAuditWrites(Date.now() + 50)).toEqual({ abandoned: 0 })
  })

  it('writes the row of a create and a delete that finish, after them, with the delete’s source', async () => {
    const actor = await createTestUser(handle.db, 'Finish')
    const customer = await inRequest('finishes', () =>
      createCustomer(handle.db, actor, { name: 'Quick', email: 'quick@example.com' }, 'manual'),
    )
    expect(await inRequest('finishes-delete', () => deleteCustomer(handle.db, actor, customer.id))).toBe(true)
    expect(await auditRowsFor(customer.id)).toHaveLength(0) // written after the response, not before
    await queue.flush()
    const rows = rowsOf<{ action: string; metadata: Record<string, unknown> }>(
      await handle.db.execute(
        sql`select action, metadata from audit_log where subject_id = ${customer.id} order by created_at`,
      ),
    )
    expect(rows).toEqual([
      { action: 'customer.created', metadata: { source: 'manual', fields: ['name', 'email'] } },
      { action: 'customer.deleted', metadata: { source: 'manual' } },
    ])
  })
})
