// Observability entry point for server code: the logger, request correlation.
import 'server-only'

export { logger, type Logger } from './logger'
export { getRequestId, getRequestLogger, setRequestUser } from './request'
export { REQUEST_ID_HEADER } from './request-id'
