// The audit rows promised but not yet written: from logAuditEvent() (whose after() task may not
// have run yet) through the write limiter's queue to the insert. When the server stops, Next's
// own wait for after() tasks does not run (we handle the signal ourselves, docs/reliability.md),
// so this list is what the shutdown waits for, and what it names, row by row, when the deadline
// comes first.
import { auditLog } from '../db/schema'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { owedWork } from '../owed-work'

export type AuditRow = typeof auditLog.$inferInsert

const owedRows = owedWork<AuditRow>('auditOwedRows')

/** What rebuilds a row that was not written: its request, action, subject and field names. */
export function auditRowFields(row: AuditRow) {
  return {
    request_id: row.requestId,
    request_id_source: row.requestIdSource,
    action: row.action,
    org_id: row.orgId,
    actor_id: row.actorId,
    subject_type: row.subjectType,
    subject_id: row.subjectId,
    metadata: row.metadata, // names and counts only (AuditMetadata): enough to rebuild the row
    created_at: row.createdAt,
  }
}

/** Registers `row` as owed now; returns the task that writes it (with `write`) and then forgets it. */
export const pendingWrite = (row: AuditRow, write: () => Promise<void>) => owedRows.owe(row, write)

/** Whether the shutdown already named `row` as abandoned (and counted it). */
export const writeGivenUp = (row: AuditRow) => owedRows.givenUp(row)

/** A row owed for a change that did not happen after all: nothing to write, nothing to name. */
export const forgetPendingWrite = (row: AuditRow) => owedRows.forget(row)

/**
 * Waits until every owed row is written (or has failed and been logged) or `deadline` (epoch ms)
 * passes. Each row still owed then is logged as `audit_log_write_abandoned` with what rebuilds
 * it and counted as dropped. Resolves with how many were abandoned.
 */
export async function drainAuditWrites(deadline: number): Promise<{ abandoned: number }> {
  const left = await owedRows.drain(deadline)
  for (const row of left) {
    metrics().auditLogWrites.inc({ result: 'dropped' })
    // Its insert may have started and may still commit: look for the request ID before replaying.
    logger.error({ ...auditRowFields(row), reason: 'shutdown_deadline' }, 'audit_log_write_abandoned')
  }
  return { abandoned: left.length }
}
