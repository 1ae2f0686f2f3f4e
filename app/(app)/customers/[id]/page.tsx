import type { Metadata } from 'next'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { AuditTable } from '@/components/audit-table'
import { ErrorBoundary } from '@/components/error-boundary'
import { Time } from '@/components/time'
import { listAuditEvents } from '@/lib/audit'
import { requireSession } from '@/lib/auth'
import { getCustomer } from '@/lib/customers'
import { getDb } from '@/lib/db'
import { isEnabled } from '@/lib/flags'

export const metadata: Metadata = { title: 'Customer' }

// One customer and its history: "who changed this?". A deleted customer keeps its history;
// a customer of another organization is indistinguishable from one that never existed.
export default async function CustomerPage({ params }: PageProps<'/customers/[id]'>) {
  const { id } = await params
  const session = await requireSession(`/customers/${id}`)
  const db = await getDb()
  const [customer, history, showHistory] = await Promise.all([
    getCustomer(db, session, id),
    listAuditEvents(db, session.orgId, { subject: { type: 'customer', id } }),
    isEnabled('customer_history', { distinctId: session.userId, orgId: session.orgId }),
  ])
  if (!customer && history.entries.length === 0) notFound()

  return (
    <section className="flex flex-col gap-6">
      <Link href="/customers" className="text-sm text-emerald-700 underline">
        ← Customers
      </Link>
      {customer ? (
        <div>
          {/* A long name or email with no space (a pasted URL) wraps rather than running off-screen. */}
          <h1 className="text-2xl font-semibold break-words">{customer.name}</h1>
          <p className="break-words text-stone-600">{customer.email}</p>
          <p className="mt-1 text-sm text-stone-500">
            Added <Time value={customer.createdAt} /> · source {customer.source}
          </p>
        </div>
      ) : (
        <h1 className="text-2xl font-semibold">Deleted customer</h1>
      )}
      {showHistory && (
        <>
          <h2 className="text-lg font-semibold">Who changed this?</h2>
          {/* If the history fails to render, the customer above stays usable. */}
          <ErrorBoundary
            name="customer-history"
            fallback={
              <p className="rounded-md bg-stone-100 px-3 py-2 text-sm text-stone-600">
                The history is unavailable right now.
              </p>
            }
          >
            <AuditTable entries={history.entries} showSubject={false} />
          </ErrorBoundary>
        </>
      )}
    </section>
  )
}
