'use client'

import { useEffect } from 'react'
import { Reference } from '@/components/reference'
import { reportRenderError } from '@/lib/observability/browser'

// A server error's digest is logged beside its request ID (onRequestError), so it finds the
// request in the logs without exposing anything about the failure to the visitor. Errors thrown
// in the browser are reported from here; server errors were reported where they happened.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => reportRenderError(error, 'app/error'), [error])
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-24">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-stone-600">The error has been recorded. If it keeps happening, send us the reference below.</p>
      <Reference digest={error.digest} />
      <button type="button" onClick={reset} className="self-start rounded-md bg-stone-900 px-4 py-2 text-white">
        Try again
      </button>
    </main>
  )
}
