// The process logger: pino writing JSON lines to stdout (pretty in development), no worker
// transports (they break under bundling). Every line passes through `redact`.
import pino, { type Logger } from 'pino'
import { recordForInspector } from '../inspect'
import { redact, redactText } from '../privacy'
import { SERVICE_ENV, SERVICE_NAME, SERVICE_VERSION } from '../release'
import { currentRequestContext } from '../request'
import { perProcess } from '../singleton'
import { traceIdsFor } from '../traces'

export type { Logger } from 'pino'

const isDevelopment = process.env.NODE_ENV === 'development'

function defaultLevel(): pino.LevelWithSilent {
  const configured = process.env.LOG_LEVEL?.trim()
  // An unknown level falls back here instead of throwing at import: lib/env then stops the
  // server with a line that names LOG_LEVEL, rather than pino's own message.
  if (configured && (configured === 'silent' || configured in pino.levels.values))
    return configured as pino.LevelWithSilent
  return isDevelopment ? 'debug' : 'info'
}

/**
 * Production's stdout, written asynchronously. `minLength: 1`, not sonic-boom's default 0: with 0
 * its flush() calls back at once even while a write is under way ("Do nothing if minLength is
 * zero"), so flushLogs waited for nothing, and a chunk a full pipe had refused (EAGAIN, retried
 * later) was lost at exit. With 1, each line still goes out as soon as it is written.
 * `maxLength`: while nothing reads stdout (a stuck log shipper), lines wait in memory up to 16
 * MiB; past that each new line is dropped and counted (droppedLogLines, the `log_lines_dropped`
 * metric) instead of the heap growing until the process dies.
 */
export const STDOUT_DESTINATION = { sync: false, minLength: 1, maxLength: 16 * 1024 * 1024 } as const

// Per process, not per module: Turbopack copies this module into several chunks, and the chunk
// whose logger writes (perProcess below) need not be the one start-up reads the count from.
const drops = perProcess('logLinesDropped', () => ({ count: 0 }))
/** Lines this process dropped because stdout's buffer was full (STDOUT_DESTINATION). */
export const droppedLogLines = (): number => drops.count

function stdoutDestination(): pino.DestinationStream {
  const destination = pino.destination(STDOUT_DESTINATION)
  destination.on('drop', () => drops.count++)
  return destination
}

export function createLogger(
  destination?: pino.DestinationStream,
  level: pino.LevelWithSilent = defaultLevel(),
): Logger {
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
    // Lines written inside a request carry its ID and user, and lines written inside a span its
    // trace, without anyone passing them: logs and traces link both ways. pino's own merge
    // copies the line's fields onto this fresh object (so they win); a merge written with two
    // object spreads cost the access line about 13 µs of CPU per request (docs/performance.md).
    mixin: () => {
      const context = currentRequestContext()
      const ids = traceIdsFor(context)
      if (!context) return ids ?? {}
      return {
        request_id: context.requestId,
        ...(context.userId ? { user_id: context.userId } : {}),
        ...ids,
      }
    },
    serializers: { err: (error: unknown) => redact(error) },
    // The message itself (`logger.error(obj, \`failed: ${error.message}\`)`) is not seen by the
    // formatters above: the strings of every call are redacted here.
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg))
        return method.apply(this, redacted as Parameters<typeof method>)
      },
    },
  }
  const instance = destination
    ? pino(options, destination)
    : isDevelopment
      ? pino(
          options,
          pino.multistream([
            {
              level: 'trace',
              stream: prettyStream(),
            },
            { level: 'trace', stream: inspectorStream },
          ]),
        )
      : pino(options, stdoutDestination())
  return redactChildBindings(instance)
}

/**
 * Development's readable lines. pino-pretty is required here, not imported at the top: NODE_ENV
 * is inlined at build time, so a production build drops this call and never loads its 41 modules.
 */
function prettyStream(): pino.DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pretty = require('pino-pretty') as typeof import('pino-pretty')
  return pretty({ sync: true, colorize: true, singleLine: true, ignore: 'service,env,version,pid,hostname' })
}

/** Development: each line, as written (redacted), also goes to the local inspector under its request ID. */
const inspectorStream = {
  write(line: string) {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>
      if (typeof parsed.request_id === 'string') recordForInspector(parsed.request_id, 'log', parsed)
    } catch {
      // Not JSON: not one of our lines.
    }
  },
}

/**
 * pino skips `formatters.bindings` for child loggers, so `logger.child({ session })` would
 * bypass redaction. Children inherit from their parent, so patching the root covers them all.
 */
function redactChildBindings(instance: Logger): Logger {
  // Unbound on purpose: `this` must stay whichever logger `.child` is called on.
  const child = instance.child as unknown as (
    this: Logger,
    bindings: pino.Bindings,
    options?: pino.ChildLoggerOptions,
  ) => Logger
  const patched = function (this: Logger, bindings: pino.Bindings, childOptions?: pino.ChildLoggerOptions) {
    return child.call(this, redact(bindings) as pino.Bindings, childOptions)
  }
  instance.child = patched as unknown as Logger['child']
  return instance
}

/** The shared logger. In a request, prefer `getRequestLogger()`: off the Node server, only it carries the request ID. */
export const logger: Logger = perProcess('logger', () => createLogger())

/**
 * Waits until the lines written so far are out (at most `timeoutMs`), for a process about to
 * exit. Production writes asynchronously, and at exit pino writes what is buffered at once,
 * possibly before a write still in flight: the shutdown's last lines came out before its first
 * in 3 of 11 runs of a fault review.
 */
export function flushLogs(timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    logger.flush(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}
