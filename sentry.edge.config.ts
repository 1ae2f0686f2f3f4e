// Sentry for the edge runtime, loaded by instrumentation.ts `register()`. Same options as the
// Node server (lib/observability/sentry-server.ts); no DSN → no SDK.
import { startErrorTracking } from './lib/observability/sentry-server'

startErrorTracking()
