import type { Metadata } from 'next'
import { requireDebugRoutes } from '@/lib/debug'
import { SentryDebugPanel } from './panel'

export const dynamic = 'force-dynamic'
export const metadata: Metadata = { title: 'Error tracking check' }

// Operator page (DEBUG_ROUTES=1 only): fails in each way the error pipeline must catch, so a
// deploy can be checked end to end. Each failure should appear once in Sentry.
export default function DebugSentryPage() {
  requireDebugRoutes()
  return (
    <main className="mx-auto flex max-w-2xl flex-col gap-8 px-6 py-16">
      <header className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold">Error tracking check</h1>
        <p className="text-stone-600">
          Each control below fails on purpose. The server-side failure is at{' '}
          <a className="underline" href="/api/debug/sentry">
            /api/debug/sentry
          </a>
          , a render failure at{' '}
          <a className="underline" href="/debug/error">
            /debug/error
          </a>
          .
        </p>
      </header>
      <SentryDebugPanel />
    </main>
  )
}
