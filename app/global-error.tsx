'use client'

import { useEffect } from 'react'
import { Reference } from '@/components/reference'
import { reportRenderError } from '@/lib/observability/browser'
import './globals.css'

// Last-resort boundary: replaces the root layout, so it renders its own <html> and <body>.
// Reports browser errors; server errors were reported where they happened (same digest).
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => reportRenderError(error, 'app/global-error'), [error])
  return (
    <html lang="en">
      <body className="min-h-screen bg-stone-50 font-sans text-stone-900 antialiased">
        <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-24">
          <h1 className="text-2xl font-semibold">Something went wrong</h1>
          <p className="text-stone-600">The error has been recorded. If it keeps happening, send us the reference below.</p>
          <Reference digest={error.digest} />
          <button type="button" onClick={reset} className="self-start rounded-md bg-stone-900 px-4 py-2 text-white">
            Try again
          </button>
        </main>
      </body>
    </html>
  )
}
