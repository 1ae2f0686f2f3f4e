// The audit rows promised but not yet written: from logAuditEvent() (whose after() task may not
// have run yet) through the write limiter's queue to the insert. When the server stops, Next's
// own wait for after() tasks does not run (we handle the signal ourselves, docs/reliability.md),
// so this list is what the shutdown waits for, and what it names, row by row, when the deadline
// comes first.
import { auditLog } from '../db/schema'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { perProcess } from '../singleton'

export type AuditRow = typeof auditLog.$inferInsert

// One list per process: the routes that promise rows and the shutdown that waits for them are
// bundled into different chunks.
const pending = () => perProcess('auditPendingRows', () => new Set<AuditRow>())
const abandoned = () => perProcess('auditAbandonedRows', () => new WeakSet<AuditRow>())

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

/**
 * Registers `row` as owed now, and returns the task that writes it (with `write`) and then
 * forgets it. A row given up by the shutdown is not written any more: its line already says so.
 */
export function pendingWrite(row: AuditRow, write: () => Promise<void>): () => Promise<void> {
  pending().add(row)
  return async () => {
    if (abandoned().has(row)) return
    try {
      await write()
    } finally {
      pending().delete(row)
    }
  }
}

/**
 * Waits until every owed row is written (or has failed and been logged) or `deadline` (epoch ms)
 * passes. Each row still owed then is logged as `audit_log_write_abandoned` with what rebuilds
 * it and counted as dropped. Resolves with how many were abandoned.
 */
export async function drainAuditWrites(deadline: number): Promise<{ abandoned: number }> {
  while (pending().size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const left = [...pending()]
  for (const row of left) {
    abandoned().add(row)
    pending().delete(row)
    metrics().auditLogWrites.inc({ result: 'dropped' })
    // Its insert may have started and may still commit: look for the request ID before replaying.
    logger.error({ ...auditRowFields(row), reason: 'shutdown_deadline' }, 'audit_log_write_abandoned')
  }
  return { abandoned: left.length }
}
