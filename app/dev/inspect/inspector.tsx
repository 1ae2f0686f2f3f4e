'use client'

// The local inspector's screen: recent requests, live, and for one of them everything it did.
// It polls /api/dev/inspect; nothing here is in a production build (only page.dev.tsx imports it).
import { useEffect, useState } from 'react'
import type { InspectedRequest, InspectorEntry } from '@/lib/inspect'
import { Panel, RequestDetail } from './panels'

type Filters = { request: string; user: string; route: string; status: string; errors: boolean }
type Detail = { summary: InspectedRequest; entries: InspectorEntry[] }

const POLL_MS = 1500

function queryOf(filters: Filters): string {
  const params = new URLSearchParams()
  for (const key of ['request', 'user', 'route', 'status'] as const) if (filters[key]) params.set(key, filters[key])
  if (filters.errors) params.set('errors', '1')
  return params.toString()
}

/** Fetches `url` now and every POLL_MS while mounted; the latest answer for it, or the reason there is none. */
function usePolled<T>(url: string | undefined): { data?: T; problem?: string } {
  const [state, setState] = useState<{ url?: string; data?: T; problem?: string }>({})
  useEffect(() => {
    if (!url) return
    let live = true
    const load = async () => {
      try {
        const response = await fetch(url, { cache: 'no-store' })
        const body = (await response.json()) as T & { error?: string; problems?: string[] }
        if (!live) return
        if (response.ok) setState({ url, data: body })
        else setState({ url, problem: [body.error, ...(body.problems ?? [])].filter(Boolean).join('; ') })
      } catch {
        if (live) setState((previous) => ({ ...previous, url, problem: 'the dev server did not answer' }))
      }
    }
    void load()
    const timer = setInterval(load, POLL_MS)
    return () => {
      live = false
      clearInterval(timer)
    }
  }, [url])
  // An answer for another URL (the previous filter or request) is not this one's.
  return state.url === url ? state : {}
}

export function Inspector({ initialRequestId }: { initialRequestId?: string }) {
  const [filters, setFilters] = useState<Filters>({ request: '', user: '', route: '', status: '', errors: false })
  const [selected, setSelected] = useState(initialRequestId)
  const list = usePolled<{ requests: InspectedRequest[] }>(`/api/dev/inspect?${queryOf(filters)}`)
  const detail = usePolled<Detail>(selected ? `/api/dev/inspect?id=${encodeURIComponent(selected)}` : undefined)

  const select = (requestId: string) => {
    setSelected(requestId)
    window.history.replaceState(null, '', `/dev/inspect?request=${encodeURIComponent(requestId)}`)
    window.scrollTo({ top: 0 }) // the detail is above the list
  }
  const field = (key: keyof Omit<Filters, 'errors'>, label: string, placeholder: string) => (
    <label className="flex flex-col gap-1 text-xs text-stone-600">
      {label}
      <input
        value={filters[key]}
        placeholder={placeholder}
        onChange={(event) => setFilters({ ...filters, [key]: event.target.value })}
        className="rounded border border-stone-300 px-2 py-1 font-mono text-sm text-stone-900"
      />
    </label>
  )

  return (
    <main className="mx-auto flex max-w-7xl flex-col gap-6 px-6 py-8">
      <header>
        <h1 className="text-2xl font-semibold">Inspector</h1>
        <p className="text-sm text-stone-600">
          Development only: what each request did, from every pillar, kept in this server&apos;s memory (the last few
          hundred requests). Vendor keys add their vendors; this view stays.
        </p>
      </header>

      <form className="flex flex-wrap items-end gap-3" onSubmit={(event) => event.preventDefault()}>
        {field('request', 'Request ID', 'part of an ID')}
        {field('user', 'User', 'user ID')}
        {field('route', 'Route', '/customers')}
        {field('status', 'Status', '500 or 5xx')}
        <label className="flex items-center gap-2 pb-1 text-sm text-stone-700">
          <input
            type="checkbox"
            checked={filters.errors}
            onChange={(event) => setFilters({ ...filters, errors: event.target.checked })}
          />
          Errors only
        </label>
      </form>
      {list.problem ? <p className="text-sm text-red-700">Filter: {list.problem}</p> : null}

      {/* Above the list: a reference opened from a page lands here, and the list grows as it polls. */}
      {selected ? (
        detail.data ? (
          <RequestDetail summary={detail.data.summary} entries={detail.data.entries} />
        ) : (
          <p className="text-sm text-stone-600" data-testid="inspector-missing">
            {detail.problem
              ? `Request ${selected}: ${detail.problem}. The inspector keeps what this server saw since it started.`
              : 'Loading…'}
          </p>
        )
      ) : null}

      <Panel title="Recent requests" testId="recent-requests" count={list.data?.requests.length}>
        <RequestList requests={list.data?.requests ?? []} selected={selected} onSelect={select} />
      </Panel>
    </main>
  )
}

function RequestList({
  requests,
  selected,
  onSelect,
}: {
  requests: InspectedRequest[]
  selected?: string
  onSelect: (requestId: string) => void
}) {
  if (requests.length === 0) return <p className="px-3 py-2 text-sm text-stone-500">No requests yet.</p>
  return (
    <table className="w-full text-left text-sm">
      <thead className="text-xs text-stone-500">
        <tr>
          {['Time', 'Method', 'Route', 'Status', 'ms', 'User', 'Reference'].map((heading) => (
            <th key={heading} className="px-3 py-1 font-normal">
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {requests.map((request) => (
          <tr
            key={request.requestId}
            data-testid="inspector-request"
            onClick={() => onSelect(request.requestId)}
            className={`cursor-pointer border-t border-stone-100 hover:bg-stone-50 ${
              request.requestId === selected ? 'bg-emerald-50' : ''
            } ${request.failed ? 'text-red-700' : ''}`}
          >
            {/* UTC, as /activity and the logs write it, so a row there matches one here. */}
            <td className="px-3 py-1 font-mono text-xs">
              {new Date(request.firstSeen).toISOString().slice(11, 19)} UTC
            </td>
            <td className="px-3 py-1">{request.method ?? '…'}</td>
            <td className="px-3 py-1 font-mono text-xs">{request.route ?? request.path ?? '(in flight)'}</td>
            <td className="px-3 py-1">{request.status ?? '…'}</td>
            <td className="px-3 py-1">{request.durationMs ?? ''}</td>
            <td className="px-3 py-1 font-mono text-xs">{request.userId?.slice(0, 8) ?? ''}</td>
            <td className="px-3 py-1">
              <button type="button" className="font-mono text-xs text-emerald-700 underline">
                {request.requestId}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
