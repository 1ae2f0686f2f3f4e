'use client'

import { usePageRequestId } from '@/lib/observability/document-request-id'

/**
 * The short reference an error page shows; support pastes it into a log search. A server
 * error's digest is logged beside its request ID, so either finds the request.
 */
export function Reference({ digest }: { digest?: string }) {
  const requestId = usePageRequestId()
  const value = digest ?? requestId
  if (!value) return null
  return (
    <p className="text-sm text-stone-500">
      Reference: <code data-testid="reference" className="rounded bg-stone-100 px-1.5 py-0.5 font-mono text-stone-700">{value}</code>
    </p>
  )
}
