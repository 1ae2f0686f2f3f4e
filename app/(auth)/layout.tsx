import Link from 'next/link'

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 px-6 py-16">
      <Link href="/" className="font-mono text-sm text-emerald-700">
        signalbox
      </Link>
      {children}
    </main>
  )
}
