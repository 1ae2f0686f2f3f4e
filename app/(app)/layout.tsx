import Link from 'next/link'
import { getSession } from '@/lib/auth'
import { signOutAction } from './actions'

// The signed-in shell. It does not guard anything: each page and action checks the session
// itself (a layout does not re-render on every navigation, so it cannot be the gate).
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const session = await getSession()
  return (
    <div className="min-h-screen">
      <header className="border-b border-stone-200 bg-white">
        <div className="mx-auto flex max-w-5xl items-center gap-6 px-6 py-3">
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
          <div className="ml-auto flex items-center gap-3 text-sm">
            {session && <span className="text-stone-600">{session.name ?? session.email}</span>}
            <form action={signOutAction}>
              <button type="submit" className="rounded-md border border-stone-300 px-3 py-1 hover:bg-stone-100">
                Sign out
              </button>
            </form>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-5xl px-6 py-8">{children}</main>
    </div>
  )
}
