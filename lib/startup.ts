import 'server-only'
import { EnvError, parseEnv } from './env'
import { getDb } from './db'
import { sentryOtlpTarget } from './errors'
import { logger, writeAccessLine } from './logs'
import { recordHttpRequest } from './metrics'
import { installHttpHook, onRequestFinished } from './request'
import { installShutdown } from './shutdown'
import { startTracing } from './traces'

/**
 * Called from instrumentation.ts when a Node server starts. A production server with a
 * missing or invalid variable stops here with one line per problem, instead of failing later
 * on a request (or writing data to an ephemeral disk). Then the request hook goes in, and the
 * database is opened in the background so the embedded database's boot and migrations do not
 * land on the first request. Tracing starts here when an OTLP endpoint is configured, and the
 * shutdown on SIGTERM/SIGINT is installed.
 */
export async function startNodeServer(): Promise<void> {
  let config: ReturnType<typeof parseEnv>
  try {
    config = parseEnv()
  } catch (error) {
    if (!(error instanceof EnvError)) throw error
    for (const line of error.message.split('\n')) console.error(`Signalbox cannot start: ${line}`)
    process.exit(1)
  }
  if (process.env.NEXT_PHASE === 'phase-production-build') return
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) {
    // Only when asked for: without an endpoint the OpenTelemetry SDK is never loaded.
    await startTracing({ sentry: sentryOtlpTarget() })
  }
  installHttpHook({ onListenerError: (error) => logger.warn({ err: error }, 'request_listener_failed') })
  onRequestFinished(writeAccessLine)
  onRequestFinished(recordHttpRequest)
  // SIGTERM and SIGINT: one bounded shutdown that drains every part (lib/shutdown.ts).
  installShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS })
  getDb().catch((error: unknown) => logger.error({ err: error }, 'database_open_failed'))
}
