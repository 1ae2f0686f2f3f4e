// Request correlation for server code: which request this is (its ID, where the ID came from),
// the per-request context on the Node server, and the hook that creates it. The pure ID rule is
// also its own entry (./id) for the proxy and the browser; the page's ID in the browser is ./client.
import 'server-only'

export { REQUEST_ID_HEADER, REQUEST_ID_SOURCE_HEADER, isValidRequestId, type RequestIdSource } from './id'
export {
  annotateServerSpans,
  currentRequestContext,
  noteSpanStarted,
  requestContextStorage,
  type RequestContext,
} from './context'
export { getRequestId, getRequestIdSource } from './current'
export { installHttpHook, onRequestFinished, type AccessRecord } from './http-hook'
export { closeAllConnections, stopAcceptingRequests } from './server-drain'
