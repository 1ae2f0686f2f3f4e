// Observability entry point for server code: the logger, request correlation, error tracking.
import 'server-only'

export { logger, type Logger } from './logger'
export { getRequestId, getRequestIdSource, getRequestLogger, setRequestUser } from './request'
export { REQUEST_ID_HEADER } from './request-id'
export { withActionInstrumentation } from './actions'
export { captureException, type ErrorContext } from './sentry-server'
