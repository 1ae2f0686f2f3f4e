'use client'

// Last-resort boundary: replaces the root layout, so it renders its own <html> and <body>.
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 560, margin: '96px auto', padding: '0 24px' }}>
        <h1>Something went wrong</h1>
        <p>The error has been recorded.</p>
        {error.digest ? (
          <p>
            Reference: <code>{error.digest}</code>
          </p>
        ) : null}
        <button type="button" onClick={reset}>
          Try again
        </button>
      </body>
    </html>
  )
}
