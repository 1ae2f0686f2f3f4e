// The audit log on real databases: rows carry the request's ID and are written after the
// mutation returns; a failing insert is logged and never fails the mutation; and the database
// refuses to change or remove history. On PostgreSQL `database.db` is the app role
// (tests/integration/app-role.test.ts tries everything else it might do to the table).
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { auditLog } from '@/lib/db/schema'
import { logger } from '@/lib/logs/logger'
import { metrics } from '@/lib/metrics/registry'
import { createAfterQueue, inRequest } from '../support/requests'
import { rowsOf, testDatabaseKinds, type TestDatabase } from '../support/databases'
import { createTestUser } from '../support/fixtures'

const afterQueue = vi.hoisted(() => ({ current: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => afterQueue.current?.(task) }))

const { logAuditEvent, listAuditEvents } = await import('@/lib/audit')
const { createCustomer } = await import('@/lib/customers')

describe.each(testDatabaseKinds())('audit log on $label', ({ label, create }) => {
  let database: TestDatabase
  const queue = createAfterQueue()
  beforeAll(async () => {
    database = await create()
    afterQueue.current = queue.after
  })
  afterAll(async () => {
    await database?.close()
  })

  const auditWrites = async (result: 'ok' | 'error' | 'dropped') =>
    (await metrics().auditLogWrites.get()).values.find((value) => value.labels.result === result)?.value ?? 0

  const countFor = async (requestId: string) =>
    rowsOf<{ n: number }>(
      await database.db.execute(sql`select count(*)::int as n from audit_log where request_id = ${requestId}`),
    )[0]?.n

  it('writes one row after the response, tagged with the request ID', async () => {
    const actor = await createTestUser(database.db, 'Ada')
    const customer = await inRequest('req-audit-1', () =>
      createCustomer(database.db, actor, { name: 'Grace Hopper', email: 'grace@example.com' }, 'manual'),
    )
    // The mutation has returned; its audit row and its analytics event wait for the response.
    expect(queue.pending).toBe(2)
    expect(await countFor('req-audit-1')).toBe(0)
    const written = await auditWrites('ok')
    await queue.flush()
    expect(await countFor('req-audit-1')).toBe(1)
    expect(await auditWrites('ok')).toBe(written + 1)

    const { entries } = await listAuditEvents(database.db, actor.orgId, {
      subject: { type: 'customer', id: customer.id },
    })
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      action: 'customer.created',
      actorId: actor.userId,
      actorName: 'Ada',
      subjectType: 'customer',
      subjectId: customer.id,
      requestId: 'req-audit-1',
      metadata: { source: 'manual', fields: ['name', 'email'] },
    })
    expect(JSON.stringify(entries[0]?.metadata)).not.toContain('grace@example.com')
  })

  it('records whether the request ID was the client’s (kept as sent) or ours', async () => {
    const actor = await createTestUser(database.db, 'Kim')
    const input = { name: 'Idris', email: 'idris@example.com' }
    await inRequest('chosen-by-the-client', () => createCustomer(database.db, actor, input, 'api'), {
      source: 'client',
    })
    await inRequest('made-by-the-server', () => createCustomer(database.db, actor, input, 'manual'), {
      source: 'server',
    })
    await queue.flush()
    const { entries } = await listAuditEvents(database.db, actor.orgId)
    expect(entries.map((entry) => [entry.requestId, entry.requestIdSource]).sort()).toEqual([
      ['chosen-by-the-client', 'client'],
      ['made-by-the-server', 'server'],
    ])
  })

  it('an insert that fails leaves the mutation successful and logs audit_log_write_failed with the request ID', async () => {
    const actor = await createTestUser(database.db, 'Lin')
    const errors = vi.spyOn(logger, 'error')
    // A real failure, injected in the database (by its owner: the app may not): the table the insert needs is gone.
    await database.owner.execute(sql`alter table audit_log rename to audit_log_unavailable`)
    const failedBefore = await auditWrites('error')
    try {
      const customer = await inRequest('req-audit-fail', () =>
        createCustomer(database.db, actor, { name: 'Katherine Johnson', email: 'kj@example.com' }, 'api'),
      )
      expect(customer.id).toBeTruthy()
      await queue.flush() // must not throw
      const failures = errors.mock.calls.filter((call) => call[1] === 'audit_log_write_failed')
      expect(failures).toHaveLength(1)
      expect(await auditWrites('error')).toBe(failedBefore + 1)
      expect(failures[0]?.[0]).toMatchObject({
        request_id: 'req-audit-fail',
        action: 'customer.created',
        subject_id: customer.id,
      })
      expect(JSON.stringify(failures[0]?.[0])).not.toContain('kj@example.com')
      const stored = rowsOf<{ n: number }>(
        await database.db.execute(sql`select count(*)::int as n from customers where id = ${customer.id}`),
      )
      expect(stored[0]?.n).toBe(1)
    } finally {
      await database.owner.execute(sql`alter table audit_log_unavailable rename to audit_log`)
      errors.mockRestore()
    }
  })

  it('refuses UPDATE, DELETE and TRUNCATE on audit_log, to the app and to the owner', async () => {
    await database.db
      .insert(auditLog)
      .values({ action: 'user.signed_in', orgId: null, actorId: null, requestId: 'req-immutable' })
    const changes = [
      sql`update audit_log set action = 'tampered' where request_id = 'req-immutable'`,
      sql`delete from audit_log where request_id = 'req-immutable'`,
      sql`truncate audit_log`,
    ]
    // drizzle wraps the driver error; the database's reason is on its cause.
    const refusal = async (db: typeof database.db, change: (typeof changes)[number]) => {
      const failure = (await db.execute(change).then(
        () => undefined,
        (error: Error) => error,
      )) as (Error & { cause?: Error }) | undefined
      return failure && String(failure.cause?.message ?? failure.message)
    }
    // PGlite has one user, so the trigger is its whole defence; on PostgreSQL the app role was
    // never granted these, and the owner (migrations, a person with the owner's URL) meets the trigger.
    const appReason = label === 'postgres' ? /permission denied for table audit_log/ : /append-only/
    for (const change of changes) expect(await refusal(database.db, change)).toMatch(appReason)
    for (const change of changes) expect(await refusal(database.owner, change)).toMatch(/append-only/)
    expect(await countFor('req-immutable')).toBe(1)
  })

  it('outside a request it still writes (no request ID) without throwing', async () => {
    const actor = await createTestUser(database.db, 'Script')
    afterQueue.current = () => {
      throw new Error('after() outside a request scope')
    }
    try {
      await logAuditEvent(database.db, { action: 'user.signed_in', orgId: actor.orgId, actorId: actor.userId })
      await vi.waitFor(async () => {
        const { entries } = await listAuditEvents(database.db, actor.orgId)
        expect(entries.map((e) => [e.action, e.requestId])).toEqual([['user.signed_in', null]])
      })
    } finally {
      afterQueue.current = queue.after
    }
  })
})
