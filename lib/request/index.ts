// Request correlation for server code: which request this is (its ID, where the ID came from),
// and the per-request context on the Node server (with what the request did, for its access
// line); the hook that creates it is its own entry (./http-hook). The pure ID rule is also its own entry (./id) for the proxy and
// the browser; the page's ID in the browser is ./client.
import 'server-only'

export { REQUEST_ID_HEADER, REQUEST_ID_SOURCE_HEADER, isValidRequestId, type RequestIdSource } from './id'
export {
  annotateServerSpans,
  currentRequestContext,
  noteDependencyUnavailable,
  RETRY_AFTER_SECONDS,
  noteSpanStarted,
  requestContextStorage,
  type RequestContext,
} from './context'
export { echoingRequestId, getRequestId, getRequestIdSource } from './current'
export {
  noteAnalyticsEventTracked,
  noteAuditRowQueued,
  noteDatabaseQuery,
  noteErrorDigest,
  noteFeatureWork,
  noteFlagEvaluated,
} from './tally'
// The Node server's hook (node:http, the routes manifest) is its own entry, ./http-hook, for
// start-up only: this one stays loadable in every runtime Sentry runs in (edge included).
export type { AccessRecord } from './http-hook'
