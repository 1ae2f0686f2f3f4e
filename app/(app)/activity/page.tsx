import type { Metadata } from 'next'
import { AuditTable } from '@/components/audit-table'
import { Pagination } from '@/components/pagination'
import { listAuditEvents } from '@/lib/audit'
import { requireSession } from '@/lib/auth'
import { getDb } from '@/lib/db'
import { INSPECTOR_ENABLED } from '@/lib/inspect/client'
import { pageFrom } from '@/lib/pagination'

export const metadata: Metadata = { title: 'Activity' }

export default async function ActivityPage({ searchParams }: PageProps<'/activity'>) {
  const session = await requireSession('/activity')
  const { page } = await searchParams
  const trail = await listAuditEvents(await getDb(), session.orgId, { page: pageFrom(page) })
  return (
    <section className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Activity</h1>
        <p className="text-sm text-stone-600">
          Everything that changed in your organization.{' '}
          {INSPECTOR_ENABLED
            ? 'Each request ID opens the inspector, with everything that request did.'
            : 'Search the logs for a request ID to see everything that request did.'}
        </p>
      </div>
      <AuditTable entries={trail.entries} />
      <Pagination page={trail.page} pageCount={trail.pageCount} path="/activity" />
    </section>
  )
}
