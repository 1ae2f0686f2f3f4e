// audit_log_writes_pending, as a scrape sees it, while the audit table is held by another
// transaction: writes pile up behind the limiter (2 running, the rest waiting) and drain when
// the table is free again.
import { describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { logAuditEvent } from '@/lib/audit'
import { metrics } from '@/lib/metrics'
import { testDatabaseKinds } from '../support/databases'

async function pending(): Promise<number> {
  const text = await metrics().registry.metrics()
  return Number(/^audit_log_writes_pending (\d+)$/m.exec(text)?.[1])
}

describe.each(testDatabaseKinds())('audit backlog on $label', ({ label, create }) => {
  it('the gauge counts running and waiting writes at scrape time, and returns to 0', async () => {
    const database = await create()
    let release = () => {}
    const released = new Promise<void>((resolve) => (release = resolve))
    let holding = () => {}
    const held = new Promise<void>((resolve) => (holding = resolve))
    try {
      expect(await pending()).toBe(0)
      // PGlite runs one transaction at a time; PostgreSQL needs the table locked.
      const holder = database.owner.transaction(async (tx) => {
        if (label === 'postgres') await tx.execute(sql`lock table audit_log in access exclusive mode`)
        holding()
        await released
      })
      await held
      for (let i = 0; i < 5; i++) {
        await logAuditEvent(database.db, { action: 'user.signed_out', orgId: null, actorId: null })
      }
      await expect.poll(pending).toBe(5)
      release()
      await holder
      await expect.poll(pending).toBe(0)
    } finally {
      release()
      await database.close()
    }
  })
})
