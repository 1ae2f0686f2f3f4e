// Sentry for the Node server runtime, loaded by instrumentation.ts `register()`. The options
// live in lib/errors (settings.ts shared, sentry-server.ts for servers); no DSN → no SDK. Events
// go out through a transport with a deadline, and each send says whether Sentry is up.
import { startErrorTracking } from './lib/errors'
import { sentryNodeTransport } from './lib/errors/sentry-node-transport'
import { recordDependencyState } from './lib/metrics'

startErrorTracking({
  transport: sentryNodeTransport({ onSent: (ok) => recordDependencyState('sentry', ok ? 'up' : 'down') }),
})
