import type { Instrumentation } from 'next'

// Runs once when a server process starts.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startNodeServer } = await import('./lib/startup')
    startNodeServer()
  }
}

// Every server error Next catches: rendering, route handlers, server actions, the proxy.
export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { logRequestError } = await import('./lib/observability/errors')
    logRequestError(...args)
  }
}
