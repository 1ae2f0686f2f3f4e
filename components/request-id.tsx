import { inspectorHref } from '@/lib/inspect/client'

/**
 * In development, `children` as a link to the local inspector for request `id` (it shows
 * everything that request did); in production, `children` alone. Callers spell out the
 * development check around it too, so the minifier drops it, and its import, from production bundles.
 */
export function InspectorLink({ id, children }: { id: string; children: React.ReactNode }) {
  if (process.env.NODE_ENV !== 'development') return children
  return (
    <a href={inspectorHref(id)} title="Open in the inspector" className="underline decoration-dotted">
      {children}
    </a>
  )
}

/** A request ID as pages show it: a link into the inspector in development, text to paste into a log search in production. */
export function RequestId({ id, testId, className }: { id: string; testId?: string; className?: string }) {
  const code = (
    <code data-testid={testId} className={className}>
      {id}
    </code>
  )
  return process.env.NODE_ENV === 'development' ? <InspectorLink id={id}>{code}</InspectorLink> : code
}
