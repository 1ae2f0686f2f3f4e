// Error tracking (Sentry) for server code: report an error, wrap a server action, put the user
// on the request. Every function is a no-op without a DSN (or, under `next dev`, Spotlight or the inspector), and the SDK is not even loaded then (./server). The
// browser's entry is ./client; ./settings is what every runtime shares (pure, no SDK); ./tunnel,
// which forwards the browser's envelopes, is Node only and imported by app/monitoring/route.ts.
import 'server-only'

export {
  captureException,
  captureRequestError,
  errorTrackingWanted,
  flushErrorTracking,
  sentryOtlpTarget,
  startErrorTracking,
} from './server'
export type { ErrorContext, SentryTransport } from './sentry-server'
export { withActionInstrumentation, withRouteInstrumentation } from './actions'
export { setRequestUser } from './user'
