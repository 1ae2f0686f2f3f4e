// The process logger: pino writing JSON lines to stdout (pretty in development), no worker
// transports (they break under bundling). Every line passes through `redact`.
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import { currentRequestContext } from './context'
import { redact } from './redact'
import { SERVICE_ENV, SERVICE_NAME, SERVICE_VERSION } from './release'

export type { Logger } from 'pino'

const isDevelopment = process.env.NODE_ENV === 'development'

function defaultLevel(): pino.Level {
  const configured = process.env.LOG_LEVEL?.trim()
  if (configured) return configured as pino.Level // validated by lib/env at start-up
  return isDevelopment ? 'debug' : 'info'
}

export function createLogger(destination?: pino.DestinationStream, level: pino.LevelWithSilent = defaultLevel()): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: {
      service: SERVICE_NAME,
      env: SERVICE_ENV,
      version: SERVICE_VERSION,
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
  const instance = destination
    ? pino(options, destination)
    : isDevelopment
      ? pino(options, pretty({ sync: true, colorize: true, singleLine: true, ignore: 'service,env,version,pid,hostname' }))
      : pino(options, pino.destination({ sync: false }))
  return redactChildBindings(instance)
}

/**
 * pino skips `formatters.bindings` for child loggers, so `logger.child({ session })` would
 * bypass redaction. Children inherit from their parent, so patching the root covers them all.
 */
function redactChildBindings(instance: Logger): Logger {
  // Unbound on purpose: `this` must stay whichever logger `.child` is called on.
  const child = instance.child as unknown as (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger
  const patched = function (this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) {
    return child.call(this, redact(bindings) as pino.Bindings, childOptions)
  }
  instance.child = patched as unknown as Logger["child"]
  return instance
}

const cache = globalThis as unknown as { __signalboxLogger?: Logger }

/** The shared logger. In a request, prefer `getRequestLogger()` from lib/observability. */
export const logger: Logger = (cache.__signalboxLogger ??= createLogger())
