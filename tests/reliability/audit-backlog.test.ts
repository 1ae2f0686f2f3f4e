// Scenario 4, audit backlog full. A production build (`next start`, as `npm start` starts it) on
// PostgreSQL, the app reaching it as its own role. One user signs up, then sends the same burst of
// creates through POST /api/customers twice: once with a healthy audit table, once with every
// insert into audit_log slowed by a pg_sleep() trigger (created as the tables' owner), so the
// audit writes pile up behind lib/audit's write limiter (2 running, 1000 waiting) and the burst
// overflows it. Afterwards the trigger is dropped and the backlog drains.
//
// Asserts: every create answers 201 within the request timeout, and the slow burst's median
// latency stays within LATENCY_RATIO_BOUND of the healthy one's (the slow table never slows the
// mutation); audit_log_writes_pending, scraped throughout, never exceeds 1002 and does reach the
// cap; every write refused is counted as `dropped` and logged as `audit_log_write_failed` with
// what rebuilds it (request ID, action, subject, organization, actor); and every committed
// customer has exactly one of its audit row or that line: zero lost.
//
// PostgreSQL only: another connection cannot slow a PGlite table under a running server.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from '../e2e/support/logs'
import { startServer, type AppServer } from '../e2e/support/server'
import { createPostgresDatabase, rowsOf, type TestDatabase } from '../support/databases'
import { signUp, startScriptVariables } from './support/app'
import { recordFigures, SHORT } from './support/figures'
import { median, p95 } from './support/stats'

/** lib/audit's write limiter: writes running plus writes waiting, at most. */
const CAP = 2 + 1000
// Each burst must overflow the cap by itself: the slow table writes 2 rows per SLEEP_S meanwhile.
const BURST = SHORT ? 1150 : 1600
const WARM_UP = 100
const CLIENTS = 16
const SLEEP_S = 3
const REQUEST_TIMEOUT_MS = 10_000
/** Target 1.05; measured on a shared 2-core machine, so the assertion leaves room for noise. */
const LATENCY_RATIO_BOUND = 1.5
const METRICS_TOKEN = 'audit-backlog-scenario-token'
const DIST_DIR = process.env.RELIABILITY_DIST_DIR?.trim() || '.next'

type Result = { requestId: string; status: number | string; ms: number }

/** Sends `count` creates, CLIENTS at a time; the customer's name is its request ID. */
async function burst(app: AppServer, cookie: string, prefix: string, count: number): Promise<Result[]> {
  const results: Result[] = []
  let next = 0
  const client = async () => {
    while (next < count) {
      const requestId = `${prefix}-${String(next++).padStart(4, '0')}`
      const started = performance.now()
      let status: Result['status']
      try {
        const response = await fetch(`${app.url}/api/customers`, {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify({ name: requestId, email: `${requestId}@example.com` }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        })
        await response.arrayBuffer()
        status = response.status
      } catch (error) {
        status = (error as Error).name
      }
      results.push({ requestId, status, ms: performance.now() - started })
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client))
  return results
}

async function scrape(app: AppServer) {
  const text = await (
    await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text()
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN)
  return {
    pending: value(/^audit_log_writes_pending (\d+)$/m),
    ok: value(/^audit_log_writes_total\{result="ok"\} (\d+)$/m),
    error: value(/^audit_log_writes_total\{result="error"\} (\d+)$/m),
    dropped: value(/^audit_log_writes_total\{result="dropped"\} (\d+)$/m),
  }
}

/** Scrapes until `stop` resolves; returns the highest backlog seen and how many scrapes saw it. */
async function watchPending(app: AppServer, stop: Promise<unknown>) {
  let done = false
  void stop.finally(() => (done = true))
  let max = 0
  let scrapes = 0
  while (!done) {
    max = Math.max(max, (await scrape(app)).pending)
    scrapes += 1
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { max, scrapes }
}

async function settled(app: AppServer, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const figures = await scrape(app)
    if (figures.pending === 0) return figures
    if (Date.now() > deadline) throw new Error(`audit backlog still ${figures.pending} after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('scenario 4 Audit backlog full', () => {
  const serverUrl = process.env.TEST_DATABASE_URL?.trim()
  let app: AppServer
  let database: TestDatabase

  beforeAll(async () => {
    if (!serverUrl) return
    if (!existsSync(path.join(DIST_DIR, 'BUILD_ID'))) throw new Error(`no production build in ${DIST_DIR}: next build`)
    database = await createPostgresDatabase(serverUrl)
    app = await startServer({
      waitForReady: true,
      distDir: DIST_DIR === '.next' ? undefined : DIST_DIR,
      env: { ...startScriptVariables(), DATABASE_URL: database.url, METRICS_TOKEN },
    })
  })

  afterAll(async () => {
    await app?.stop()
    await database?.close()
  })

  it.skipIf(!serverUrl)(
    'answers every create on time while the audit backlog is capped, counted, logged and lossless',
    async () => {
      const started = Date.now()
      const cookie = await signUp(app, 'backlog@example.com', 'Backlog Tester')
      await burst(app, cookie, 'backlog-warm', WARM_UP) // JIT and pools warm before anything is measured
      await settled(app)

      const healthy = await burst(app, cookie, 'backlog-healthy', BURST)
      await settled(app)

      // The slow table: every audit insert, from any role, sleeps first (as bench/run.mjs does).
      await database.owner.execute(
        sql.raw(
          `create function slow_audit() returns trigger language plpgsql as $$ begin perform pg_sleep(${SLEEP_S}); return new; end $$`,
        ),
      )
      await database.owner.execute(
        sql`create trigger slow_audit before insert on audit_log for each row execute function slow_audit()`,
      )
      const before = await scrape(app)
      const slowBurst = burst(app, cookie, 'backlog-slow', BURST)
      const [slow, watched] = await Promise.all([slowBurst, watchPending(app, slowBurst)])
      const peak = Math.max(watched.max, (await scrape(app)).pending)
      await database.owner.execute(sql`drop trigger slow_audit on audit_log`)
      const after = await settled(app)

      const committed = rowsOf<{ id: string; name: string; org_id: string }>(
        await database.owner.execute(sql`select id, name, org_id from customers where name like 'backlog-slow-%'`),
      )
      const written = new Set(
        rowsOf<{ subject_id: string }>(
          await database.owner.execute(
            sql`select subject_id from audit_log where action = 'customer.created' and request_id like 'backlog-slow-%'`,
          ),
        ).map((row) => row.subject_id),
      )
      const failedLines = jsonLines(app).filter(
        (l) => l.msg === 'audit_log_write_failed' && String(l.request_id).startsWith('backlog-slow-'),
      )
      const logged = new Map(failedLines.map((l) => [String(l.subject_id), l]))
      const lost = committed.filter((c) => !written.has(c.id) && !logged.has(c.id))
      const twice = committed.filter((c) => written.has(c.id) && logged.has(c.id))
      // What rebuilds a row: the line must name its request, action, subject, organization and actor.
      const unrebuildable = committed.filter((c) => {
        const line = logged.get(c.id)
        return (
          line &&
          !(
            line.request_id === c.name &&
            line.action === 'customer.created' &&
            line.subject_type === 'customer' &&
            line.org_id === c.org_id &&
            typeof line.actor_id === 'string'
          )
        )
      })
      const dropped = after.dropped - before.dropped
      const droppedLines = failedLines.filter(
        (l) => (l.err as { type?: string } | undefined)?.type === 'AuditBacklogFull',
      )

      const ms = (results: Result[]) => results.map((r) => r.ms)
      const latencyRatio = Number((median(ms(slow)) / median(ms(healthy))).toFixed(2))
      const notOk = [...healthy, ...slow].filter((r) => r.status !== 201)
      recordFigures({
        scenario: '4 Audit backlog full',
        load: `${BURST} creates (POST /api/customers), ${CLIENTS} at a time, healthy then slow; ${WARM_UP} to warm up`,
        faults: `every audit_log insert sleeps ${SLEEP_S} s (trigger) during the second burst; write limiter caps the backlog at ${CAP}`,
        ok: BURST * 2 - notOk.length,
        failedCleanly: 0,
        failedBadly: notOk.length,
        rowsLost: lost.length,
        latencyRatio,
        notes:
          `median ${median(ms(healthy)).toFixed(0)} → ${median(ms(slow)).toFixed(0)} ms, p95 ${p95(ms(healthy)).toFixed(0)} → ` +
          `${p95(ms(slow)).toFixed(0)} ms; peak backlog ${peak} (${watched.scrapes} scrapes); ${committed.length} committed: ` +
          `${written.size} written, ${dropped} dropped and logged; run ${((Date.now() - started) / 1000).toFixed(0)} s`,
      })

      expect(notOk.map((r) => `${r.requestId}: ${r.status}`)).toEqual([])
      expect(latencyRatio).toBeLessThanOrEqual(LATENCY_RATIO_BOUND)
      expect(peak).toBeLessThanOrEqual(CAP)
      expect(peak).toBeGreaterThanOrEqual(CAP - 2) // the burst did reach the cap: the scenario tested it
      expect(dropped).toBeGreaterThan(0)
      expect(after.error - before.error).toBe(0)
      expect(droppedLines.length).toBe(dropped)
      expect(failedLines.length).toBe(dropped)
      expect(committed.length).toBe(BURST)
      expect(lost.map((c) => c.name)).toEqual([])
      expect(twice.map((c) => c.name)).toEqual([])
      expect(unrebuildable.map((c) => c.name)).toEqual([])
      expect(written.size + dropped).toBe(committed.length)
    },
  )
})
