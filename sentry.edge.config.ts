// Sentry for the edge runtime, loaded by instrumentation.ts `register()`. Same options as the
// Node server (lib/errors/sentry-server.ts); no DSN → no SDK.
import { startErrorTracking } from './lib/errors'

startErrorTracking()
