import type { Metadata } from 'next'
import { headers } from 'next/headers'
import { notFound } from 'next/navigation'
import { mayInspect } from '@/lib/inspect'
import { Inspector } from './inspector'

export const metadata: Metadata = { title: 'Inspector' }
export const dynamic = 'force-dynamic'

// The local inspector (development only: a `.dev.tsx` page, absent from production builds).
// docs/inspector.md says what each panel shows.
export default async function InspectPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  if (!mayInspect((await headers()).get('host'))) notFound()
  const { request } = await searchParams
  return <Inspector initialRequestId={typeof request === 'string' ? request : undefined} />
}
