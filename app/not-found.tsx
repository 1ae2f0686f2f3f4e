import Link from 'next/link'
import { Reference } from '@/components/reference'

export default function NotFound() {
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-24">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-stone-600">There is nothing at this address.</p>
      <Reference />
      <Link className="text-emerald-700 underline" href="/">
        Back to the start
      </Link>
    </main>
  )
}
