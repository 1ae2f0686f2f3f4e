import { headers } from 'next/headers'

export default async function DynamicPage() {
  const requestHeaders = await headers()
  return (
    <main>
      <h1>Dynamic</h1>
      <p>{requestHeaders.get('user-agent') ?? 'unknown'}</p>
      <p>{new Date().toISOString()}</p>
    </main>
  )
}
