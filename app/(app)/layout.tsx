import Link from 'next/link'
import { SignOutButton } from '@/components/sign-out-button'
import { SignedInTelemetry } from '@/components/signed-in-telemetry'
import { getSession } from '@/lib/auth'
import { defaultFlagValues, evaluateAllFlags } from '@/lib/flags'
import { FlagsProvider } from '@/lib/flags/client'
import { signOutAction } from './actions'

// The signed-in shell. It does not guard anything: each page and action checks the session
// itself (a layout does not re-render on every navigation, so it cannot be the gate).
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await getSession()
  // Evaluated once per render on the server (bounded, never throws) and handed to client
  // components and posthog-js, so nothing flickers while the browser asks.
  const flags = session ? await evaluateAllFlags(session.userId, session.orgId) : defaultFlagValues()
  return (
    <FlagsProvider values={flags}>
      <div className="min-h-screen">
        <header className="border-b border-stone-200 bg-white">
          {/* On a phone the user's name and "Sign out" wrap to a second row, where a long name is
              cut short with an ellipsis (min-w-0 lets it shrink) rather than widening the page. */}
          <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3">
            <Link href="/customers" className="font-mono text-sm text-emerald-700">
              signalbox
            </Link>
            <nav className="flex gap-4 text-sm">
              <Link href="/customers" className="hover:text-emerald-700">
                Customers
              </Link>
              <Link href="/activity" className="hover:text-emerald-700">
                Activity
              </Link>
            </nav>
            <div className="ml-auto flex min-w-0 items-center gap-3 text-sm">
              {session && (
                <span className="min-w-0 max-w-xs truncate text-stone-600">{session.name ?? session.email}</span>
              )}
              <SignOutButton action={signOutAction} />
            </div>
          </div>
        </header>
        <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
        {session && <SignedInTelemetry userId={session.userId} orgId={session.orgId} flags={flags} />}
      </div>
    </FlagsProvider>
  )
}
