'use client'

import { useState } from 'react'
import { ErrorBoundary } from '@/components/error-boundary'
import { failingDebugAction } from './actions'

const button = 'self-start rounded-md bg-stone-900 px-4 py-2 text-white'

function RiskyPanel({ broken }: { broken: boolean }) {
  if (broken) throw new Error('Planted panel render error from /debug/sentry')
  return <p className="text-sm text-stone-600">This panel renders normally until it is broken.</p>
}

export function SentryDebugPanel() {
  const [broken, setBroken] = useState(false)
  const [clicks, setClicks] = useState(0)
  return (
    <div className="flex flex-col gap-6">
      <section className="flex flex-col gap-2">
        <h2 className="font-medium">In the browser</h2>
        <button
          type="button"
          className={button}
          onClick={() => {
            throw new Error('Planted browser error from /debug/sentry')
          }}
        >
          Throw in the browser
        </button>
        <button
          type="button"
          className={button}
          onClick={async () => {
            await new Promise((resolve) => setTimeout(resolve, 10))
            throw new Error('Planted async handler error from /debug/sentry')
          }}
        >
          Throw in an async handler
        </button>
      </section>

      <section className="flex flex-col gap-2 rounded-lg border border-stone-200 bg-white p-5">
        <h2 className="font-medium">A panel behind an error boundary</h2>
        <ErrorBoundary
          name="debug-risky-panel"
          fallback={({ reset }) => (
            <div role="alert" className="flex flex-col gap-2">
              <p className="text-sm text-stone-600">
                This panel failed and has been reported. The rest of the page still works.
              </p>
              <button
                type="button"
                className="self-start underline"
                onClick={() => {
                  setBroken(false)
                  reset()
                }}
              >
                Retry the panel
              </button>
            </div>
          )}
        >
          <RiskyPanel broken={broken} />
        </ErrorBoundary>
        <button type="button" className={button} onClick={() => setBroken(true)}>
          Break the panel
        </button>
      </section>

      <section className="flex flex-col gap-2">
        <h2 className="font-medium">On the server</h2>
        <form action={failingDebugAction} className="flex flex-col gap-2">
          <label className="flex flex-col gap-1 text-sm">
            Email <input name="email" type="email" className="rounded border px-2 py-1" />
          </label>
          <label className="flex flex-col gap-1 text-sm">
            Password <input name="password" type="password" className="rounded border px-2 py-1" />
          </label>
          <button type="submit" className={button}>
            Run a failing server action
          </button>
        </form>
      </section>

      <button type="button" className="self-start text-sm underline" onClick={() => setClicks((n) => n + 1)}>
        The page still responds: {clicks}
      </button>
    </div>
  )
}
