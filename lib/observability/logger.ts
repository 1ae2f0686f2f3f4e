// The process logger: pino writing JSON lines to stdout (pretty in development), no worker
// transports (they break under bundling). Every line passes through `redact`.
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import { currentRequestContext } from './context'
import { redact } from './redact'

export type { Logger } from 'pino'

const isDevelopment = process.env.NODE_ENV === 'development'

function defaultLevel(): pino.Level {
  const configured = process.env.LOG_LEVEL?.trim()
  if (configured) return configured as pino.Level // validated by lib/env at start-up
  return isDevelopment ? 'debug' : 'info'
}

export function createLogger(destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: defaultLevel(),
    base: {
      service: process.env.OTEL_SERVICE_NAME || 'signalbox',
      env: process.env.VERCEL_ENV || process.env.NODE_ENV || 'development',
      version: process.env.VERCEL_GIT_COMMIT_SHA || process.env.GIT_COMMIT_SHA || 'dev',
    },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redact(bindings) as Record<string, unknown>,
      log: (object) => redact(object) as Record<string, unknown>,
    },
    // Lines written inside a request carry its ID and user without anyone passing them.
    mixin: () => {
      const context = currentRequestContext()
      if (!context) return {}
      return context.userId
        ? { request_id: context.requestId, user_id: context.userId }
        : { request_id: context.requestId }
    },
    mixinMergeStrategy: (mergeObject, mixinObject) => ({ ...mixinObject, ...mergeObject }),
    serializers: { err: (error: unknown) => redact(error) },
  }
  if (destination) return pino(options, destination)
  if (isDevelopment) return pino(options, pretty({ sync: true, colorize: true, ignore: 'service,env,version,pid,hostname' }))
  return pino(options, pino.destination({ sync: false }))
}

const cache = globalThis as unknown as { __signalboxLogger?: Logger }

/** The shared logger. In a request, prefer `getRequestLogger()` from lib/observability. */
export const logger: Logger = (cache.__signalboxLogger ??= createLogger())
