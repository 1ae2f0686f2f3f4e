// Sentry for the edge runtime, started by instrumentation.ts `register()`. Same options as the
// Node server (lib/errors/sentry-server.ts); nowhere to send events → no SDK.
import { startErrorTracking } from './lib/errors'

export const startEdgeErrorTracking = () => startErrorTracking()
