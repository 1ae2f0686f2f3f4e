'use client'

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="mx-auto flex max-w-xl flex-col gap-4 px-6 py-24">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-stone-600">The error has been recorded.</p>
      {error.digest ? (
        <p className="text-sm text-stone-500">
          Reference: <code className="font-mono">{error.digest}</code>
        </p>
      ) : null}
      <button type="button" onClick={reset} className="self-start rounded-md bg-stone-900 px-4 py-2 text-white">
        Try again
      </button>
    </main>
  )
}
