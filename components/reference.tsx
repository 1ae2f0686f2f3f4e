'use client'

import { usePageRequestId } from '@/lib/request/client'
import { InspectorLink } from './request-id'

/**
 * The short reference an error page shows; support pastes it into a log search (in development
 * it opens the local inspector). It is the ID
 * of the request that served the page; a server error's digest (a hash that names the error,
 * logged beside the request ID by onRequestError) is shown next to it.
 */
export function Reference({ digest }: { digest?: string }) {
  const requestId = usePageRequestId()
  if (!requestId && !digest) return null
  // The same markup in production as before the inspector existed: the link is development only.
  const shown = (
    <code data-testid="reference" className="rounded bg-stone-100 px-1.5 py-0.5 font-mono text-stone-700">
      {requestId ?? digest}
    </code>
  )
  return (
    <p className="text-sm text-stone-500">
      Reference:{' '}
      {process.env.NODE_ENV === 'development' && requestId ? (
        <InspectorLink id={requestId}>{shown}</InspectorLink>
      ) : (
        shown
      )}
      {requestId && digest ? (
        <span className="ml-2">
          (error{' '}
          <code data-testid="error-digest" className="font-mono">
            {digest}
          </code>
          )
        </span>
      ) : null}
    </p>
  )
}
