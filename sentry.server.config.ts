// Sentry for the Node server runtime, loaded by instrumentation.ts `register()`. The options
// live in lib/observability (sentry.ts shared, sentry-server.ts for servers); no DSN → no SDK.
import { startErrorTracking } from './lib/observability/sentry-server'

startErrorTracking()
