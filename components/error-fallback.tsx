'use client'

import { useEffect } from 'react'
import { reportRenderError } from '@/lib/errors/client'
import { Reference } from './reference'

export type ErrorPageProps = { error: Error & { digest?: string }; reset: () => void }

/**
 * What the error pages show: the reference that finds the request in the logs, a retry, and a
 * way back to the start.
 * Errors thrown in the browser are reported from here; a server error (it has a digest) was
 * reported where it happened, and its digest is logged beside its request ID.
 */
export function ErrorFallback({ error, reset, boundary }: ErrorPageProps & { boundary: string }) {
  useEffect(() => reportRenderError(error, boundary), [error, boundary])
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-24">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-stone-600">The error has been recorded. If it keeps happening, send us the reference below.</p>
      <Reference digest={error.digest} />
      <div className="flex items-center gap-4">
        <button type="button" onClick={reset} className="rounded-md bg-stone-900 px-4 py-2 text-white">
          Try again
        </button>
        {/* A full load, not a client navigation: an error that keeps happening on retry needs a way out. */}
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
        <a className="text-emerald-700 underline" href="/">
          Back to the start
        </a>
      </div>
    </main>
  )
}
