'use client'

// One request in the inspector, a panel per pillar. Each shows what the pillar recorded as it
// would leave the process (logs redacted, spans and error events scrubbed), so what you read
// here is what a vendor would get.
import type { InspectedRequest, InspectorEntry } from '@/lib/inspect'

type Data = Record<string, unknown>

const Empty = ({ children }: { children: React.ReactNode }) => (
  <p className="px-3 py-2 text-sm text-stone-500">{children}</p>
)

/** A titled panel; with `empty`, a count of 0 shows that sentence instead of the children. */
export function Panel({
  title,
  testId,
  count,
  empty,
  children,
}: {
  title: string
  testId: string
  count?: number
  empty?: string
  children: React.ReactNode
}) {
  return (
    <section data-testid={testId} className="rounded-lg border border-stone-200 bg-white">
      <h2 className="border-b border-stone-100 px-3 py-2 text-sm font-semibold">
        {title}
        {count !== undefined ? <span className="ml-2 font-normal text-stone-500">{count}</span> : null}
      </h2>
      <div className="overflow-x-auto">{count === 0 && empty ? <Empty>{empty}</Empty> : children}</div>
    </section>
  )
}

function Json({ value }: { value: unknown }) {
  return (
    <details className="px-3 pb-2 text-xs">
      <summary className="cursor-pointer text-stone-500">as recorded</summary>
      <pre className="mt-1 max-h-96 overflow-auto rounded bg-stone-50 p-2">{JSON.stringify(value, null, 2)}</pre>
    </details>
  )
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value))
const ofKind = (entries: InspectorEntry[], kind: InspectorEntry['kind']) =>
  entries.filter((entry) => entry.kind === kind).map((entry) => entry.data)

export function RequestDetail({ summary, entries }: { summary: InspectedRequest; entries: InspectorEntry[] }) {
  const browser = ofKind(entries, 'browser')
  const analytics = [...ofKind(entries, 'analytics'), ...browser.filter((data) => data.type === 'analytics')]
  return (
    <div className="flex flex-col gap-4" data-testid="inspector-detail">
      <div className="text-sm">
        <p className="font-mono text-base" data-testid="inspected-request-id">
          {summary.requestId}
        </p>
        <p className="text-stone-600">
          {summary.method ?? '…'} {summary.path ?? '(in flight)'} → {summary.status ?? '…'}
          {summary.durationMs !== undefined ? ` in ${summary.durationMs} ms` : ''}
          {summary.route ? ` · route ${summary.route}` : ''}
          {summary.userId ? ` · user ${summary.userId}` : ''}
          {summary.dropped ? ` · ${summary.dropped} entries past the per-request cap not kept` : ''}
        </p>
      </div>
      <Logs lines={ofKind(entries, 'log')} />
      <Waterfall spans={ofKind(entries, 'span')} />
      <Errors events={ofKind(entries, 'error')} />
      <Analytics events={analytics} />
      <Flags evaluations={ofKind(entries, 'flag')} />
      <Audit rows={ofKind(entries, 'audit')} />
      <Browser entries={browser.filter((data) => data.type !== 'analytics')} />
    </div>
  )
}

const LINE_FIELDS_SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'service', 'env', 'version', 'request_id'])

function Logs({ lines }: { lines: Data[] }) {
  return (
    <Panel title="Log lines" testId="panel-logs" count={lines.length} empty="No log lines.">
      {lines.map((line, index) => {
        const fields = Object.fromEntries(Object.entries(line).filter(([key]) => !LINE_FIELDS_SHOWN_ELSEWHERE.has(key)))
        return (
          <div
            key={index}
            data-testid="log-line"
            className={`border-t border-stone-100 px-3 py-1 font-mono text-xs ${
              line.level === 'error' || line.level === 'fatal'
                ? 'text-red-700'
                : line.kind === 'access'
                  ? 'font-semibold'
                  : ''
            }`}
          >
            <span className="text-stone-500">{text(line.time).slice(11, 23)}</span>{' '}
            <span className="uppercase">{text(line.level)}</span> {text(line.msg)}{' '}
            <span className="text-stone-500">{JSON.stringify(fields).slice(0, 400)}</span>
          </div>
        )
      })}
    </Panel>
  )
}

/** Spans as bars on one time axis, each under its parent. */
function Waterfall({ spans }: { spans: Data[] }) {
  const start = Math.min(...spans.map((span) => Number(span.start_ms)))
  const end = Math.max(...spans.map((span) => Number(span.start_ms) + Number(span.duration_ms)))
  const total = Math.max(end - start, 0.001)
  const ids = new Set(spans.map((span) => span.span_id))
  const depth = (span: Data, seen = 0): number => {
    const parent = spans.find((candidate) => candidate.span_id === span.parent_span_id)
    return parent && seen < 20 ? depth(parent, seen + 1) + 1 : 0
  }
  const ordered = [...spans].sort((a, b) => Number(a.start_ms) - Number(b.start_ms))
  return (
    <Panel title="Spans" testId="panel-spans" count={spans.length} empty="No spans.">
      <p className="px-3 pt-1 text-xs text-stone-500">
        {total.toFixed(1)} ms from the first span&apos;s start to the last one&apos;s end
        {ordered.some((span) => span.parent_span_id && !ids.has(span.parent_span_id))
          ? ' (some parents not recorded)'
          : ''}
      </p>
      {ordered.map((span) => {
        const left = ((Number(span.start_ms) - start) / total) * 100
        const width = Math.max((Number(span.duration_ms) / total) * 100, 0.5)
        return (
          <div
            key={text(span.span_id)}
            data-testid="span"
            className="grid grid-cols-[22rem_1fr] gap-2 px-3 py-0.5 text-xs"
          >
            <span
              className={`truncate font-mono ${span.status === 'error' ? 'text-red-700' : ''}`}
              style={{ paddingLeft: `${depth(span) * 0.75}rem` }}
              title={text(span.name)}
            >
              {text(span.name)} <span className="text-stone-500">{Number(span.duration_ms).toFixed(1)} ms</span>
            </span>
            <span className="relative h-3">
              <span
                className={`absolute h-3 rounded-sm ${span.status === 'error' ? 'bg-red-400' : 'bg-emerald-500'}`}
                style={{ left: `${left}%`, width: `${width}%` }}
              />
            </span>
          </div>
        )
      })}
    </Panel>
  )
}

type SentryException = { type?: string; value?: string }

function Errors({ events }: { events: Data[] }) {
  return (
    <Panel
      title="Error events (as sent to Sentry)"
      testId="panel-errors"
      count={events.length}
      empty="No error events."
    >
      {events.map((entry, index) => {
        const event = (entry.event ?? {}) as Data
        const exceptions = ((event.exception as { values?: SentryException[] } | undefined)?.values ?? []).map(
          (exception) => `${exception.type ?? 'Error'}: ${exception.value ?? ''}`,
        )
        return (
          <div key={index} data-testid="error-event" className="border-t border-stone-100">
            <p className="px-3 py-1 font-mono text-xs text-red-700">{exceptions.join(' ← ') || text(event.message)}</p>
            <p className="px-3 text-xs text-stone-600">
              tags {JSON.stringify(event.tags ?? {})}
              {event.user ? ` · user ${JSON.stringify(event.user)}` : ''}
            </p>
            <Json value={event} />
          </div>
        )
      })}
    </Panel>
  )
}

function Analytics({ events }: { events: Data[] }) {
  return (
    <Panel title="Analytics events" testId="panel-analytics" count={events.length} empty="No analytics events.">
      {events.map((event, index) => {
        const properties = (event.properties ?? {}) as Data
        return (
          <div key={index} data-testid="analytics-event" className="border-t border-stone-100 px-3 py-1 text-xs">
            <span className="font-mono font-semibold">{text(event.event)}</span>{' '}
            <span className="text-stone-600">
              from the {text(event.surface)} · feature {text(properties.feature)} · surface {text(properties.surface)}
            </span>{' '}
            <span className="font-mono text-stone-500">{JSON.stringify(properties)}</span>
          </div>
        )
      })}
    </Panel>
  )
}

function Flags({ evaluations }: { evaluations: Data[] }) {
  return (
    <Panel title="Flag evaluations" testId="panel-flags" count={evaluations.length} empty="No flags evaluated.">
      {evaluations.map((evaluation, index) => (
        <p key={index} data-testid="flag-evaluation" className="border-t border-stone-100 px-3 py-1 font-mono text-xs">
          {text(evaluation.flag)} = {text(evaluation.value)}{' '}
          <span className="text-stone-500">({text(evaluation.result)})</span>
        </p>
      ))}
    </Panel>
  )
}

function Audit({ rows }: { rows: Data[] }) {
  return (
    <Panel title="Audit rows" testId="panel-audit" count={rows.length} empty="No audit rows.">
      {rows.map((row, index) => (
        <div key={index} data-testid="audit-row" className="border-t border-stone-100 px-3 py-1 text-xs">
          <span className="font-mono font-semibold">{text(row.action)}</span>{' '}
          <span className="text-stone-600">
            {text(row.subject_type)} {text(row.subject_id)} by {text(row.actor_id)} · {text(row.result)}
          </span>{' '}
          <span className="font-mono text-stone-500">{JSON.stringify(row.metadata ?? {})}</span>
        </div>
      ))}
    </Panel>
  )
}

/** A vital's value in its unit and rating, or an error's message; and the page it came from. */
function browserSummary(entry: Data): string {
  const where = ` on ${text(entry.route)}`
  if (entry.type === 'vital') {
    const value = Number(entry.value)
    const shown = entry.name === 'CLS' ? value.toFixed(3) : `${Math.round(value)} ms`
    return `${shown} (${text(entry.rating)})${where}`
  }
  return `${text(entry.message)}${where}`
}

function Browser({ entries }: { entries: Data[] }) {
  return (
    <Panel
      title="Browser (vitals and errors from the page this request served)"
      testId="panel-browser"
      count={entries.length}
      empty="Nothing from the browser."
    >
      {entries.map((entry, index) => (
        <div key={index} data-testid="browser-entry" className="border-t border-stone-100 px-3 py-1 text-xs">
          <span className="font-mono font-semibold">
            {text(entry.type)} {text(entry.name ?? entry.kind)}
          </span>{' '}
          <span className="text-stone-600">{browserSummary(entry)}</span>
          {entry.type === 'error' ? (
            <pre className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap text-stone-500">
              {text(entry.stack ?? entry.message)}
            </pre>
          ) : null}
          <Json value={entry} />
        </div>
      ))}
    </Panel>
  )
}
