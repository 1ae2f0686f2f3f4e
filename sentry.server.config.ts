// Sentry for the Node server runtime, started by instrumentation.ts `register()`. The options
// live in lib/errors (settings.ts shared, sentry-server.ts for servers). With nowhere to send
// events (no DSN, and neither Spotlight nor the local inspector), neither the SDK nor this
// transport is loaded. Events go out through a transport with a deadline, and each send says
// whether Sentry is up.
import { errorTrackingWanted, startErrorTracking } from './lib/errors'
import { recordDependencyState } from './lib/metrics'

export async function startServerErrorTracking(): Promise<void> {
  if (!errorTrackingWanted()) return
  const { sentryNodeTransport } = await import('./lib/errors/sentry-node-transport')
  await startErrorTracking({
    transport: sentryNodeTransport({ onSent: (ok) => recordDependencyState('sentry', ok ? 'up' : 'down') }),
  })
}
