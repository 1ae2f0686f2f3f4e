// Logs for server code: the process logger (pino, JSON lines, redacted), the request-scoped
// logger, the access line and the error line. docs/logging.md is the guide.
import 'server-only'

export { createLogger, droppedLogLines, flushLogs, logger, type Logger } from './logger'
export { getRequestLogger } from './request-logger'
export { writeAccessLine } from './access-line'
export { logRequestError } from './request-error'
