import Link from 'next/link'
import type { AuditEntry } from '@/lib/audit'
import { RequestId } from './request-id'
import { Time } from './time'

function details(metadata: Record<string, unknown>): string {
  const parts: string[] = []
  if (Array.isArray(metadata.fields) && metadata.fields.length > 0) parts.push(`fields: ${metadata.fields.join(', ')}`)
  for (const key of ['source', 'provider', 'reason', 'count'] as const) {
    if (metadata[key] !== undefined) parts.push(`${key}: ${String(metadata[key])}`)
  }
  if (metadata.limit_reached === true)
    parts.push('limit reached: the failed sign-ins that follow are in the logs, not here')
  return parts.join(' · ')
}

function Subject({ entry }: { entry: AuditEntry }) {
  if (!entry.subjectType || !entry.subjectId) return <span className="text-stone-400">—</span>
  if (entry.subjectType === 'customer') {
    return (
      <Link className="text-emerald-700 underline" href={`/customers/${entry.subjectId}`}>
        customer {entry.subjectId.slice(0, 8)}
      </Link>
    )
  }
  return (
    <span>
      {entry.subjectType} {entry.subjectId.slice(0, 8)}
    </span>
  )
}

/** Who did what, to which subject, when, in which request: the audit trail as a table. */
export function AuditTable({ entries, showSubject = true }: { entries: AuditEntry[]; showSubject?: boolean }) {
  if (entries.length === 0) return <p className="text-stone-600">Nothing recorded yet.</p>
  return (
    <div className="relative overflow-x-auto rounded-lg border border-stone-200 bg-white">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-stone-200 text-stone-500">
          <tr>
            <th className="px-4 py-2 font-medium">When</th>
            <th className="px-4 py-2 font-medium">Who</th>
            <th className="px-4 py-2 font-medium">What</th>
            {showSubject && <th className="px-4 py-2 font-medium">Subject</th>}
            <th className="px-4 py-2 font-medium">Details</th>
            <th className="px-4 py-2 font-medium">Request ID</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-testid="audit-entry" className="border-b border-stone-100 last:border-0">
              <td className="whitespace-nowrap px-4 py-2">
                <Time value={entry.createdAt} />
              </td>
              <td className="px-4 py-2">
                {/* A name with no space wraps instead of widening the table (as on /customers). */}
                <div className="min-w-40 wrap-anywhere">
                  {entry.actorName ?? (entry.actorId ? 'a former member' : 'nobody signed in')}
                </div>
              </td>
              <td className="px-4 py-2">
                <code className="font-mono">{entry.action}</code>
              </td>
              {showSubject && (
                <td className="px-4 py-2">
                  <Subject entry={entry} />
                </td>
              )}
              <td className="px-4 py-2 text-stone-600">{details(entry.metadata)}</td>
              <td className="px-4 py-2">
                {entry.requestId ? (
                  <RequestId id={entry.requestId} testId="request-id" className="font-mono text-xs text-stone-600" />
                ) : (
                  <code data-testid="request-id" className="font-mono text-xs text-stone-600">
                    —
                  </code>
                )}
                {/* Propagated as the client sent it: a correlation handle, not proof of anything. */}
                {entry.requestIdSource === 'client' && (
                  <span
                    className="ml-1 text-xs text-stone-500"
                    title="This ID arrived with the request; the app kept it rather than making one."
                  >
                    (from the client)
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
