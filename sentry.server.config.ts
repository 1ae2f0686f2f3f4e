// Sentry for the Node server runtime, loaded by instrumentation.ts `register()`. The options
// live in lib/errors (settings.ts shared, sentry-server.ts for servers); no DSN → no SDK.
import { startErrorTracking } from './lib/errors'

startErrorTracking()
