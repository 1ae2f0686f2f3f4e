// What the app does when PostgreSQL goes away under it, on a real server behind a port switch
// (tests/support/port-switch.ts) that can refuse new connections and cut open ones:
// - a query fails within about a second instead of waiting for postgres.js's growing reconnect
//   backoff (it reached 20 s), and works again within about a second of the database's return;
// - the request it ran in is marked, so the Node hook sends that request's 500 as a 503 with
//   Retry-After (a page cannot set its own status), while a 500 for any other reason stays 500;
// - a create whose connection is cut after the INSERT was sent (it may have committed) logs its
//   audit row as `audit_log_write_unconfirmed`, naming the customer, and one refused before it
//   was sent logs nothing (nothing happened);
// - the customer forms answer with a message and what was typed, not an error page (the
//   sign-in and sign-up forms: auth-outage.test.ts);
// - a database that goes silent without a reset (a partition) fails its queries and transactions
//   at our deadline (lib/db/deadline.ts), as "may have committed", not when TCP gives up.
// Scenario 2 of the reliability suite (tests/reliability/database-down.test.ts) runs the same
// outage under load through a production build.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase, type DatabaseHandle } from '@/lib/db/client'
import { rowsOf } from '@/lib/db/rows'
import { isDatabaseUnavailable, mayHaveCommitted } from '@/lib/db/unavailable'
import { writeAccessLine } from '@/lib/logs'
import { logger } from '@/lib/logs/logger'
import { installHttpHook } from '@/lib/request/http-hook'
import { requestContextStorage } from '@/lib/request/context'
import { behindPortSwitch, type PortSwitch } from '../support/port-switch'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'
import { createAfterQueue, inRequest } from '../support/requests'
import { createTestUser } from '../support/fixtures'

const afterQueue = vi.hoisted(() => ({ current: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => afterQueue.current?.(task) }))
const { createCustomer, deleteCustomerFromForm, saveCustomerFromForm } = await import('@/lib/customers')

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const SILENT_DEADLINE_MS = 1500

describe.skipIf(!serverUrl)('when the database goes away (PostgreSQL behind a port switch)', () => {
  let database: ThrowawayPostgres
  let owner: DatabaseHandle
  let plug: PortSwitch
  let app: DatabaseHandle
  /** The same database with a short no-answer deadline (the app's is 15 s). */
  let hasty: DatabaseHandle
  let server: http.Server
  let port: number
  const queue = createAfterQueue()

  beforeAll(async () => {
    afterQueue.current = queue.after
    database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    owner = await openDatabase({ driver: 'postgres', url: database.url })
    const switched = await behindPortSwitch(database.appUrl!)
    plug = switched.plug
    app = await openDatabase({ driver: 'postgres', url: switched.url })
    hasty = await openDatabase({ driver: 'postgres', url: switched.url }, { noAnswerAfterMs: SILENT_DEADLINE_MS })

    installHttpHook()
    // What Next does with a route that throws: a 500. `/query` needs the database, `/bug` does not.
    const routes: Record<string, () => Promise<unknown>> = {
      '/query': () => app.db.execute(sql`select 1`),
      '/hasty-query': () => hasty.db.execute(sql`select 1`),
      '/hasty-transaction': () => hasty.db.transaction((tx) => tx.execute(sql`select 1`)),
    }
    server = http.createServer((req, res) => {
      const work = routes[req.url ?? '']?.() ?? Promise.reject(new Error('a bug'))
      work.then(
        () => res.end('ok'),
        () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal Server Error'),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
    await app?.close()
    await hasty?.close()
    await plug?.close()
    await owner?.close()
    await database?.drop()
  })

  const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) })

  it('fails queries fast while the database is away, answers 503 for them, and recovers fast', async () => {
    expect((await get('/query')).status).toBe(200)
    await plug.off()
    const answers: { status: number; ms: number; retryAfter: string | null }[] = []
    try {
      // More requests at once than the pool has connections (10), for 4 s: with postgres.js's own
      // backoff, shared by the slots and growing with every refusal, these waited 10–20 s.
      const until = Date.now() + 4000
      const worker = async () => {
        while (Date.now() < until) {
          const started = Date.now()
          const answer = await get('/query').catch(() => undefined)
          answers.push({
            status: answer?.status ?? 0,
            ms: Date.now() - started,
            retryAfter: answer?.headers.get('retry-after') ?? null,
          })
        }
      }
      await Promise.all(Array.from({ length: 14 }, worker))
      // A failure that is not the database's stays a 500, outage or not.
      expect((await get('/bug')).status).toBe(500)
    } finally {
      await plug.on()
    }
    const restored = Date.now()
    let status = 0
    while (status !== 200 && Date.now() - restored < 10_000) status = (await get('/query')).status
    const recoveredMs = Date.now() - restored

    expect(answers.length).toBeGreaterThan(14)
    expect(new Set(answers.map((answer) => `${answer.status} ${answer.retryAfter}`))).toEqual(new Set(['503 5']))
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(2500)
    expect(status).toBe(200)
    expect(recoveredMs).toBeLessThan(2500)
  })

  it('answers 503 at the deadline when the database goes silent without a reset, not when TCP gives up', async () => {
    expect((await get('/hasty-query')).status).toBe(200) // a pooled connection, open before the partition
    plug.stall()
    const answers: { path: string; status: number; retryAfter: string | null; ms: number }[] = []
    let direct: unknown
    try {
      for (const path of ['/hasty-query', '/hasty-transaction']) {
        const started = Date.now()
        const answer = await get(path)
        answers.push({
          path,
          status: answer.status,
          retryAfter: answer.headers.get('retry-after'),
          ms: Date.now() - started,
        })
      }
      direct = await hasty.db.execute(sql`select 1`).catch((error: unknown) => error)
    } finally {
      await plug.off()
      await plug.on()
    }
    for (const answer of answers) {
      expect(answer, answer.path).toMatchObject({ status: 503, retryAfter: '5' })
      expect(answer.ms, answer.path).toBeGreaterThanOrEqual(SILENT_DEADLINE_MS - 50)
      expect(answer.ms, answer.path).toBeLessThan(SILENT_DEADLINE_MS + 2000)
    }
    // Sent, and never answered: it may have run.
    expect(isDatabaseUnavailable(direct)).toBe(true)
    expect(mayHaveCommitted(direct)).toBe(true)
    const restored = Date.now()
    let status = 0
    while (status !== 200 && Date.now() - restored < 10_000) status = (await get('/hasty-query')).status
    expect(status).toBe(200)
  })

  it('logs the audit row of a create cut after it was sent as unconfirmed, and nothing for one never sent', async () => {
    const actor = await createTestUser(owner.db, 'Cut')
    // Hold every INSERT into customers for 1.5 s on the server, so the cut lands after it was sent.
    await owner.db.execute(sql`
      create function hold_insert() returns trigger language plpgsql as $$
      begin perform pg_sleep(1.5); return new; end $$`)
    await owner.db.execute(
      sql`create trigger hold_insert before insert on customers for each row execute function hold_insert()`,
    )
    const warnings = vi.spyOn(logger, 'warn')
    try {
      const create = inRequest('outage-cut', () =>
        createCustomer(app.db, actor, { name: 'Cut Mid-Insert', email: 'cut@example.com' }, 'api'),
      )
      const outcome = create.then(
        () => 'created',
        (error: unknown) => error,
      )
      await new Promise((resolve) => setTimeout(resolve, 500))
      await plug.off()
      expect(await outcome).not.toBe('created')
      const refused = await inRequest('outage-refused', () =>
        createCustomer(app.db, actor, { name: 'Never Sent', email: 'never@example.com' }, 'api'),
      ).then(
        () => 'created',
        (error: unknown) => error,
      )
      expect(refused).not.toBe('created')
      await plug.on()
      await new Promise((resolve) => setTimeout(resolve, 1500)) // the held INSERT commits
      await queue.flush()

      const unconfirmed = warnings.mock.calls.filter((call) => call[1] === 'audit_log_write_unconfirmed')
      expect(unconfirmed).toHaveLength(1)
      const line = unconfirmed[0]![0] as Record<string, unknown>
      expect(line).toMatchObject({
        request_id: 'outage-cut',
        action: 'customer.created',
        subject_type: 'customer',
        org_id: actor.orgId,
        actor_id: actor.userId,
        reason: 'outcome_unknown',
      })
      // The line names the customer that did commit: replaying it is writing its audit row.
      const [committed] = rowsOf<{ id: string }>(
        await owner.db.execute(sql`select id from customers where email = 'cut@example.com'`),
      )
      expect(committed?.id).toBe(line.subject_id)
      expect(JSON.stringify(line)).not.toContain('cut@example.com')
    } finally {
      warnings.mockRestore()
      await plug.on()
    }
  })

  it('keeps what was typed in a form and says nothing was changed when the database refuses', async () => {
    const actor = await createTestUser(owner.db, 'Form')
    const form = new FormData()
    form.set('name', 'Typed Before The Outage')
    form.set('email', 'typed@example.com')
    await plug.off()
    try {
      // The form answers with a message, not an error: its access line is what names the cause.
      const context = { requestId: 'outage-form', requestIdSource: 'server' as const, startedAt: 0 }
      const saved = await requestContextStorage.run(context, () => saveCustomerFromForm(app.db, actor, form))
      const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined)
      try {
        writeAccessLine({
          context,
          method: 'POST',
          path: '/customers',
          route: '/customers',
          status: 200,
          durationMs: 1,
        })
        expect(info.mock.calls[0]?.[0]).toMatchObject({ request_id: 'outage-form', dependency_unavailable: 'database' })
      } finally {
        info.mockRestore()
      }
      expect(saved).toEqual({
        status: 'unavailable',
        message: 'The database is not answering, so nothing was changed. Try again in a moment.',
        values: { name: 'Typed Before The Outage', email: 'typed@example.com' },
      })
      const idForm = new FormData()
      idForm.set('id', crypto.randomUUID())
      const deleted = await inRequest('outage-delete', () => deleteCustomerFromForm(app.db, actor, idForm))
      expect(deleted).toMatchObject({ status: 'unavailable' })
    } finally {
      await plug.on()
    }
  })

  it('a transaction that cannot begin marks its request too (its BEGIN is not a Drizzle query)', async () => {
    const context = { requestId: 'outage-begin', requestIdSource: 'server' as const, startedAt: 0 }
    await plug.off()
    try {
      const outcome = await requestContextStorage
        .run(context, () => app.db.transaction(async (tx) => tx.execute(sql`select 1`)))
        .then(
          () => 'ran',
          (error: unknown) => error,
        )
      expect(outcome).not.toBe('ran')
    } finally {
      await plug.on()
    }
    expect(context).toHaveProperty('dependencyUnavailable', 'database')
  })

  it('a query that succeeds leaves its request unmarked', async () => {
    const context = { requestId: 'outside', requestIdSource: 'server' as const, startedAt: 0 }
    await requestContextStorage.run(context, () => app.db.execute(sql`select 1`))
    expect(context).not.toHaveProperty('dependencyUnavailable')
  })
})
