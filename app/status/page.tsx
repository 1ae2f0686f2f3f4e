import type { Metadata } from 'next'
import { SERVICE_ENV, SERVICE_VERSION } from '@/lib/release'
import { getRequestId } from '@/lib/request'

export const metadata: Metadata = { title: 'Status' }

// What support asks a user to send: which build served them, and the ID of this request.
export default async function StatusPage() {
  const requestId = await getRequestId()
  const rows = [
    ['Version', SERVICE_VERSION],
    ['Environment', SERVICE_ENV],
    ['Request ID', requestId ?? 'unknown'],
    ['Served at', new Date().toISOString()],
  ] as const
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-6 px-6 py-16">
      <h1 className="text-2xl font-semibold">Status</h1>
      <dl className="grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-stone-500">{label}</dt>
            <dd className="font-mono" data-testid={label.toLowerCase().replace(' ', '-')}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <p className="text-sm text-stone-500">
        Machine-readable:{' '}
        <a className="underline" href="/api/health">
          /api/health
        </a>
        ,{' '}
        <a className="underline" href="/api/ready">
          /api/ready
        </a>
      </p>
      {/* A plain link: the page stays free of client components (it is the benchmark's dynamic page). */}
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
      <a className="text-sm text-emerald-700 underline" href="/">
        Back to the start
      </a>
    </main>
  )
}
