// The audit trail: who changed what, written after the response, never in the way of the
// mutation it records. App code calls `logAuditEvent()` at each mutation boundary and
// `listAuditEvents()` to show history.
import 'server-only'
import { and, count, desc, eq, type SQL } from 'drizzle-orm'
import { after } from 'next/server'
import { isLockTimeout, mayHaveCommitted, type Database } from '../db'
import { auditLog, users } from '../db/schema'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { clampPage } from '../pagination'
import { INSPECTOR_ENABLED, recordForInspector } from '../inspect'
import { getRequestId, getRequestIdSource, noteAuditRowQueued } from '../request'
import { perProcess } from '../singleton'
import { auditRowFields, forgetPendingWrite, pendingWrite, writeGivenUp } from './pending-writes'
import { createWriteLimiter, isBacklogFull } from './write-limiter'

export { drainAuditWrites } from './pending-writes'

export const AUDIT_ACTIONS = [
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'user.signed_up',
  'user.signed_in',
  'user.sign_in_failed',
  'user.signed_out',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/**
 * What may go into `metadata`: names, sources, reasons and counts, never values. The type is
 * the guard: there is no field a customer's email or name could be put in.
 */
export type AuditMetadata = {
  /** Names of the fields set or changed, e.g. ['email']. */
  fields?: readonly string[]
  source?: 'manual' | 'api'
  provider?: string
  reason?: 'unknown_email' | 'wrong_password'
  count?: number
  /**
   * On a failed sign-in: the last one this organization's trail records in the window; later
   * ones are logged only (lib/auth/rate-limit.ts, reserveFailedSignInRecord).
   */
  limit_reached?: true
}

export type AuditEvent = {
  action: AuditAction
  /** Null only when no organization is involved (a failed sign-in for an unknown email). */
  orgId: string | null
  /** Null when nobody is signed in (a failed sign-in). */
  actorId: string | null
  subject?: { type: 'customer' | 'user'; id: string }
  metadata?: AuditMetadata
}

type AuditRow = typeof auditLog.$inferInsert

/**
 * Records `event` after the response has been sent (`after()`), tagged with the current
 * request's ID and whether that ID was the client's or ours. It never adds the insert's latency
 * to the mutation and never fails it: each write is counted in `audit_log_writes_total` (ok,
 * error or dropped), and one that fails becomes one `audit_log_write_failed` error line with the request ID, action,
 * subject and metadata, so the row can be reconstructed rather than silently lost. Inserts
 * run at most two at a time, so a slow audit table cannot take the connection pool from the
 * mutations.
 */
export async function logAuditEvent(db: Database, event: AuditEvent): Promise<void> {
  const row = await auditRowFor(event)
  // Owed from now on: a shutdown waits for it, or names it (pending-writes.ts).
  writeAfterResponse(pendingWrite(row, () => writeAuditRow(db, row)))
}

function writeAfterResponse(write: () => Promise<void>): void {
  noteAuditRowQueued() // the request's access line says how many rows it promised
  try {
    after(write)
  } catch {
    // Outside a request (a script, a seed): nothing to wait for, write without blocking.
    void write()
  }
}

/**
 * For a mutation that is one statement (an insert, a delete): its audit row is owed from before
 * the statement is sent, not from after it. A statement outside a transaction commits once the
 * database has run it, whether or not this process is still there to hear the answer; so a
 * shutdown whose deadline cuts the request mid-statement must still name the row, and does
 * (`audit_log_write_abandoned`, pending-writes.ts), where it waits for the statement first.
 * `settle` gives the row's metadata once the result is known, or null when nothing changed (no
 * row). A statement that fails owes nothing, unless the connection was lost after it was sent:
 * then it may have committed, and `audit_log_write_unconfirmed` names the row (below). A
 * transaction that is cut rolls back, so updates (whose changed fields are only known inside
 * theirs) use logAuditEvent after it.
 */
export async function auditedMutation<T>(
  db: Database,
  event: AuditEvent,
  mutate: () => Promise<T>,
  settle: (result: T) => AuditMetadata | null = () => event.metadata ?? {},
): Promise<T> {
  const row = await auditRowFor(event)
  const write = pendingWrite(row, () => writeAuditRow(db, row))
  let result: T
  try {
    result = await mutate()
  } catch (error) {
    forgetPendingWrite(row)
    // Named once: as abandoned, if the shutdown gave up on it while the statement ran.
    if (mayHaveCommitted(error) && !writeGivenUp(row)) logUnconfirmedRow(row)
    throw error
  }
  const metadata = settle(result)
  if (metadata === null) forgetPendingWrite(row)
  else {
    row.metadata = { ...metadata }
    writeAfterResponse(write)
  }
  return result
}

/**
 * For a mutation whose outcome is unknown: the database connection was lost after the statement
 * was sent, so it may have committed (the answer was lost) or not. Nothing is written (the
 * database is out of reach, and a row for a change that did not happen would be false); one
 * `audit_log_write_unconfirmed` line carries what rebuilds the row, to be written once the
 * subject is found to exist (docs/logging.md).
 */
function logUnconfirmedRow(row: AuditRow): void {
  logger.warn({ ...auditRowFields(row), reason: 'outcome_unknown' }, 'audit_log_write_unconfirmed')
}

async function auditRowFor(event: AuditEvent): Promise<AuditRow> {
  // Read now: request APIs are not available inside after() everywhere.
  const requestId = (await getRequestId()) ?? null
  const requestIdSource = requestId ? ((await getRequestIdSource()) ?? null) : null
  return {
    orgId: event.orgId,
    actorId: event.actorId,
    action: event.action,
    subjectType: event.subject?.type ?? null,
    subjectId: event.subject?.id ?? null,
    requestId,
    requestIdSource,
    metadata: { ...event.metadata },
    createdAt: new Date(), // when it happened, not when the row was written
  }
}

// At most 2 of the pool's connections (10) ever wait on the audit log; one limiter per process
// (Next bundles this module into several chunks).
const writes = perProcess('auditWrites', () => createWriteLimiter({ concurrency: 2, maxWaiting: 1000 }))
// The backlog, as a scrape sees it (audit_log_writes_pending): a rising number is a slow audit
// table before any write is dropped.
metrics().auditLogWritesPending.readFrom(() => writes.active + writes.waiting)

/**
 * How many times an audit row's insert is sent while audit_log stays locked: each attempt waits
 * out the app role's lock_timeout (3 s, scripts/app-role.mjs), so a migration may hold the table
 * for about half a minute before a row goes to the logs instead. Requests are not held: this
 * runs after the response, and the shutdown's deadline still bounds it.
 */
const LOCKED_TABLE_ATTEMPTS = 10

async function insertAuditRow(db: Database, row: AuditRow): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.insert(auditLog).values(row)
      return
    } catch (error) {
      if (!isLockTimeout(error) || attempt === LOCKED_TABLE_ATTEMPTS || writeGivenUp(row)) throw error
    }
  }
}

async function writeAuditRow(db: Database, row: AuditRow): Promise<void> {
  try {
    await writes.run(() => insertAuditRow(db, row))
    metrics().auditLogWrites.inc({ result: 'ok' })
    if (INSPECTOR_ENABLED)
      recordForInspector(row.requestId ?? undefined, 'audit', { result: 'written', ...auditRowFields(row) })
  } catch (error) {
    // Failing after the shutdown gave up on it: already logged and counted as abandoned.
    if (writeGivenUp(row)) return
    // Dropped: refused because too many writes were already waiting; error: the insert failed.
    const result = isBacklogFull(error) ? 'dropped' : 'error'
    metrics().auditLogWrites.inc({ result })
    if (INSPECTOR_ENABLED) recordForInspector(row.requestId ?? undefined, 'audit', { result, ...auditRowFields(row) })
    logger.error(
      {
        err: error,
        ...auditRowFields(row), // what rebuilds the row, as the shutdown's abandoned lines carry it
      },
      'audit_log_write_failed',
    )
  }
}

export type AuditEntry = {
  id: string
  createdAt: Date
  action: string
  actorId: string | null
  actorName: string | null
  subjectType: string | null
  subjectId: string | null
  requestId: string | null
  /** Whether the request ID was the client's (propagated as sent) or ours; null on rows older than the column. */
  requestIdSource: 'client' | 'server' | null
  metadata: Record<string, unknown>
}

export const AUDIT_PAGE_SIZE = 50

/** One organization's audit trail, newest first; optionally only one subject's history. */
export async function listAuditEvents(
  db: Database,
  orgId: string,
  options: { subject?: { type: string; id: string }; page?: number } = {},
): Promise<{ entries: AuditEntry[]; page: number; pageCount: number }> {
  const conditions: SQL[] = [eq(auditLog.orgId, orgId)]
  if (options.subject) {
    conditions.push(eq(auditLog.subjectType, options.subject.type), eq(auditLog.subjectId, options.subject.id))
  }
  const where = and(...conditions)
  const [totals] = await db.select({ total: count() }).from(auditLog).where(where)
  const { page, pageCount } = clampPage(options.page, totals?.total ?? 0, AUDIT_PAGE_SIZE)
  const entries = await db
    .select({
      id: auditLog.id,
      createdAt: auditLog.createdAt,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorName: users.name,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      requestId: auditLog.requestId,
      requestIdSource: auditLog.requestIdSource,
      metadata: auditLog.metadata,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(where)
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((page - 1) * AUDIT_PAGE_SIZE)
  return { entries, page, pageCount }
}
