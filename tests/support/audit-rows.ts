// The audit rows one request wrote, read straight from the table: what the tests of each flow
// compare, row for row, with what that flow must leave behind.
import { sql } from 'drizzle-orm'
import type { Database } from '@/lib/db/client'
import { rowsOf } from './databases'

export type AuditRow = {
  action: string
  org_id: string | null
  actor_id: string | null
  subject_id: string | null
  metadata: Record<string, unknown>
}

/** The rows tagged with `requestId`, in the order they were written. */
export async function auditRowsOf(db: Database, requestId: string): Promise<AuditRow[]> {
  return rowsOf<AuditRow>(
    await db.execute(
      sql`select action, org_id, actor_id, subject_id, metadata from audit_log where request_id = ${requestId} order by created_at, action desc`,
    ),
  )
}
