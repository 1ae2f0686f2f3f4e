import type { Instrumentation } from 'next'

// Runs once when a server process starts. Sentry first (when there is anywhere to send events),
// so start-up problems are reported too.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServerErrorTracking } = await import('./sentry.server.config')
    await startServerErrorTracking()
    const { startNodeServer } = await import('./lib/startup')
    await startNodeServer()
  }
  if (process.env.NEXT_RUNTIME === 'edge') {
    const { startEdgeErrorTracking } = await import('./sentry.edge.config')
    await startEdgeErrorTracking()
  }
}

// Every server error Next catches: rendering, route handlers, server actions, the proxy. It goes
// to Sentry (when configured) and, on the Node server, to the error log line.
export const onRequestError: Instrumentation.onRequestError = async (...args) => {
  const { captureRequestError } = await import('./lib/errors')
  captureRequestError(...args)
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { logRequestError } = await import('./lib/logs')
    logRequestError(...args)
  }
}
