// What the app does when a table it needs is locked (a migration, a forgotten psql session), on
// a real PostgreSQL, connected as the app role `npm run db:create-app-role` sets up:
// - the role's session defaults are there (lock_timeout, statement_timeout,
//   idle_in_transaction_session_timeout), and the owner that runs migrations keeps its own;
// - a request that needs the locked table gives up within about lock_timeout and is answered 503
//   with Retry-After, where it used to wait for as long as the lock was held;
// - a create refused this way changed nothing and names no row as unconfirmed;
// - an audit row whose table is locked for longer than one lock_timeout is still written, once
//   the lock is gone, rather than sent to the logs.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase, type DatabaseHandle } from '@/lib/db/client'
import { rowsOf } from '@/lib/db/rows'
import { isDatabaseUnavailable, mayHaveCommitted } from '@/lib/db/unavailable'
import { logger } from '@/lib/logs/logger'
import { installHttpHook } from '@/lib/request/http-hook'
import { APP_ROLE_SETTINGS } from '../../scripts/app-role.mjs'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'
import { createAfterQueue, inRequest } from '../support/requests'
import { createTestUser } from '../support/fixtures'

const afterQueue = vi.hoisted(() => ({ current: undefined as undefined | ((task: () => unknown) => void) }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => afterQueue.current?.(task) }))
const { createCustomer } = await import('@/lib/customers')
const { logAuditEvent } = await import('@/lib/audit')
const { reserveSignInAttempt } = await import('@/lib/auth/rate-limit')

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const LOCK_TIMEOUT_MS = 3000

describe.skipIf(!serverUrl)('when a table the app needs is locked (PostgreSQL, as the app role)', () => {
  let database: ThrowawayPostgres
  let owner: DatabaseHandle
  let app: DatabaseHandle
  let server: http.Server
  let port: number
  const queue = createAfterQueue()

  beforeAll(async () => {
    afterQueue.current = queue.after
    database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    owner = await openDatabase({ driver: 'postgres', url: database.url })
    app = await openDatabase({ driver: 'postgres', url: database.appUrl! })
    installHttpHook()
    // What Next does with a route that throws: a 500, which the hook turns into a 503 when the
    // request's query failed for want of the database.
    server = http.createServer((req, res) => {
      inRequest('locked-read', () => app.db.execute(sql`select count(*) from customers`)).then(
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
    await owner?.close()
    await database?.drop()
  })

  /** Holds `table` in ACCESS EXCLUSIVE mode, as the owner, until the returned function is called. */
  async function lock(table: 'customers' | 'audit_log'): Promise<() => Promise<void>> {
    let taken = () => {}
    let release = () => {}
    const lockTaken = new Promise<void>((resolve) => (taken = resolve))
    const held = new Promise<void>((resolve) => (release = resolve))
    const holder = owner.db.transaction(async (tx) => {
      await tx.execute(sql.raw(`lock table ${table} in access exclusive mode`))
      taken()
      await held
    })
    await lockTaken
    return async () => {
      release()
      await holder
    }
  }

  async function setting(handle: DatabaseHandle, name: string): Promise<string> {
    const [row] = rowsOf<{ value: string }>(await handle.db.execute(sql`select current_setting(${name}) as value`))
    return row!.value
  }

  it('the app role has its session defaults, and the owner running migrations does not', async () => {
    for (const [name, value] of Object.entries(APP_ROLE_SETTINGS)) {
      expect(await setting(app, name), name).toBe(value)
      expect(await setting(owner, name), name).toBe('0')
    }
  })

  it('a request that needs a locked table is answered 503 within about lock_timeout, not when the lock goes', async () => {
    const release = await lock('customers')
    try {
      const started = Date.now()
      const answer = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(15_000) })
      const ms = Date.now() - started
      expect(answer.status).toBe(503)
      expect(answer.headers.get('retry-after')).toBe('5')
      expect(ms).toBeGreaterThanOrEqual(LOCK_TIMEOUT_MS - 100)
      expect(ms).toBeLessThan(LOCK_TIMEOUT_MS + 2000)
    } finally {
      await release()
    }
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200)
  })

  it('a create refused by a lock changed nothing and names no row as unconfirmed', async () => {
    const actor = await createTestUser(owner.db, 'Locked')
    const warnings = vi.spyOn(logger, 'warn')
    const release = await lock('customers')
    let outcome: unknown
    try {
      outcome = await inRequest('locked-create', () =>
        createCustomer(app.db, actor, { name: 'Behind A Lock', email: 'locked@example.com' }, 'api'),
      ).then(
        () => 'created',
        (error: unknown) => error,
      )
    } finally {
      await release()
      warnings.mockRestore()
    }
    expect(outcome).not.toBe('created')
    expect(isDatabaseUnavailable(outcome)).toBe(true)
    expect(mayHaveCommitted(outcome)).toBe(false)
    expect(warnings.mock.calls.filter((call) => call[1] === 'audit_log_write_unconfirmed')).toEqual([])
    await queue.flush()
    const created = rowsOf(await owner.db.execute(sql`select 1 from customers where email = 'locked@example.com'`))
    expect(created).toEqual([])
  })

  it('the sign-in limits queue on their own locks past lock_timeout: a burst on one account waits its turn', async () => {
    // The attempts' advisory locks are a queue by design; another attempt holds this key's.
    const key = `queue-${Date.now()}`
    const holder = await openDatabase({ driver: 'postgres', url: database.appUrl! })
    let waiting: Promise<unknown> | undefined
    try {
      await holder.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
        waiting = reserveSignInAttempt(app.db, [{ key, max: 10 }])
        void waiting.catch(() => {}) // awaited below; failing early must not go unhandled
        await new Promise((resolve) => setTimeout(resolve, LOCK_TIMEOUT_MS + 500))
        // Still waiting, not refused, when the holder commits (and lets it through).
        const settled = await Promise.race([
          waiting.then(
            () => 'settled',
            () => 'failed',
          ),
          Promise.resolve('waiting'),
        ])
        expect(settled).toBe('waiting')
      })
      expect(await waiting).toMatchObject({ limited: false })
    } finally {
      await holder.close()
    }
  }, 20_000)

  it('an audit row waits out a lock longer than lock_timeout and is written once the table is free', async () => {
    const errors = vi.spyOn(logger, 'error')
    const release = await lock('audit_log')
    let written: Promise<void>
    try {
      await inRequest('locked-audit', () =>
        logAuditEvent(app.db, { action: 'user.signed_out', orgId: null, actorId: null }),
      )
      written = queue.flush()
      // Two lock_timeouts and a bit: the first attempts gave up, a later one finds the table free.
      await new Promise((resolve) => setTimeout(resolve, 2 * LOCK_TIMEOUT_MS + 500))
    } finally {
      await release()
    }
    await written!
    errors.mockRestore()
    expect(errors.mock.calls.filter((call) => call[1] === 'audit_log_write_failed')).toEqual([])
    const rows = rowsOf(await owner.db.execute(sql`select 1 from audit_log where request_id = 'locked-audit'`))
    expect(rows).toHaveLength(1)
  }, 20_000)
})
