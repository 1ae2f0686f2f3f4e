import { inspectorHref } from '@/lib/inspect/client'

/**
 * A request ID as pages show it. In development it opens the local inspector, which shows
 * everything that request did; in production it is text to paste into a log search.
 */
export function RequestId({ id, testId, className }: { id: string; testId?: string; className?: string }) {
  const code = (
    <code data-testid={testId} className={className}>
      {id}
    </code>
  )
  // Spelled out (not INSPECTOR_ENABLED) so the minifier drops the link, and its import, from production bundles.
  if (process.env.NODE_ENV !== 'development') return code
  return (
    <a href={inspectorHref(id)} title="Open in the inspector" className="underline decoration-dotted">
      {code}
    </a>
  )
}
