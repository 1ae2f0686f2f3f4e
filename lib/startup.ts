import 'server-only'
import { FEATURES } from './analytics'
import { EnvError, databaseTargetFrom, parseEnv } from './env'
import { getDb } from './db'
import { sentryOtlpTarget } from './errors'
import { countFlagEvaluationsFromZero } from './flags'
import { droppedLogLines, flushLogs, logger, writeAccessLine } from './logs'
import {
  countFeatureWorkFromZero,
  metrics,
  recordDependencyState,
  recordHttpRequest,
  startMetricsListener,
  watchDependency,
  type Dependency,
} from './metrics'
import { installHttpHook, onRequestFinished } from './request/http-hook'
import { installShutdown } from './shutdown'
import { openTelemetryWillTrace, type SpanDestination } from './traces'
import { INSPECTOR_ENABLED } from './inspect'

const DEPENDENCY_OF_DESTINATION = {
  collector: 'otlp_collector',
  sentry: 'sentry',
} as const satisfies Record<SpanDestination, Dependency>

/** A span batch's export result as what it says of the dependency behind the destination. */
export function recordSpanExport(destination: SpanDestination, ok: boolean): void {
  recordDependencyState(DEPENDENCY_OF_DESTINATION[destination], ok ? 'up' : 'down')
}

/** Series from the first scrape: each configured dependency (unknown until seen), each flag's and feature's counts at 0. */
function startMetrics(config: ReturnType<typeof parseEnv>): void {
  watchDependency('database') // always there: PostgreSQL, or the embedded database
  if (config.NEXT_PUBLIC_POSTHOG_KEY) watchDependency('posthog')
  if (config.NEXT_PUBLIC_SENTRY_DSN) watchDependency('sentry')
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) watchDependency('otlp_collector')
  countFlagEvaluationsFromZero()
  countFeatureWorkFromZero(FEATURES)
  if (config.METRICS_PORT) {
    const { METRICS_PORT: port, METRICS_HOST: host } = config
    // The app serves without its metrics port rather than not at all: the scrape target going
    // down is what tells Prometheus, and this line says why.
    startMetricsListener({ port, host, token: config.METRICS_TOKEN }).then(
      () => logger.info({ host, port }, 'metrics_listening'),
      (error: unknown) => logger.error({ err: error, host, port }, 'metrics_listener_failed'),
    )
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Warns when AUTH_URL names this machine (localhost, 127.0.0.1, [::1]) on another port than the
 * one the server listens on (`port`: Next sets PORT to it once it listens): Auth.js sends the
 * browser to AUTH_URL after sign-in and sign-out, where nothing answers. Only a warning, and only
 * on a loopback host: behind a proxy the public port legitimately differs, and even on this
 * machine a proxy may forward AUTH_URL's port here.
 */
export function warnIfAuthUrlMissesPort(authUrl: string | undefined, port: string | undefined): void {
  if (!authUrl || !port || !/^\d{1,5}$/.test(port.trim())) return
  const url = new URL(authUrl)
  if (!LOOPBACK_HOSTS.has(url.hostname)) return
  const authUrlPort = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  const listening = Number(port.trim())
  if (authUrlPort === listening) return
  url.port = String(listening)
  const fixed = `${url.origin}${url.pathname === '/' ? '' : url.pathname}`
  logger.warn(
    {
      auth_url_port: authUrlPort,
      port: listening,
      fix: `set AUTH_URL=${fixed} (the port this server listens on), or start the server on port ${authUrlPort}; ignore this if a proxy on this machine forwards port ${authUrlPort} here`,
    },
    'auth_url_port_mismatch',
  )
}

/**
 * Called from instrumentation.ts when a Node server starts. A production server with a
 * missing or invalid variable stops here with one line per problem, instead of failing later
 * on a request (or writing data to an ephemeral disk). Then the request hook goes in, and the
 * database is opened in the background so the embedded database's boot and migrations do not
 * land on the first request. Tracing starts here when an OTLP endpoint is configured (and always
 * under `next dev`, for the inspector), the
 * metrics get their own listener when METRICS_PORT is set, and the shutdown on SIGTERM/SIGINT is
 * installed.
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
  warnIfAuthUrlMissesPort(config.AUTH_URL, process.env.PORT)
  startMetrics(config)
  metrics().logLinesDropped.readFrom(droppedLogLines)
  if (openTelemetryWillTrace(config.OTEL_EXPORTER_OTLP_ENDPOINT)) {
    // Only when asked for (an endpoint), or in development for the local inspector: in
    // production without an endpoint the OpenTelemetry SDK is never loaded.
    const { startTracing } = await import('./traces/tracing')
    startTracing({
      collector: Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT),
      sentry: sentryOtlpTarget(),
      inspector: INSPECTOR_ENABLED,
      onExportResult: recordSpanExport,
      propagateTo: config.OTEL_PROPAGATE_TO,
    })
  }
  installHttpHook({ onListenerError: (error) => logger.warn({ err: error }, 'request_listener_failed') })
  onRequestFinished(writeAccessLine)
  onRequestFinished(recordHttpRequest)
  // What the process was configured to talk to: told at start (server_started, below), and the
  // shutdown reports a delivery only to what was configured.
  const integrations = {
    posthog: Boolean(config.NEXT_PUBLIC_POSTHOG_KEY),
    sentry: Boolean(config.NEXT_PUBLIC_SENTRY_DSN),
    otlp: Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT),
    github_sign_in: Boolean(config.AUTH_GITHUB_ID && config.AUTH_GITHUB_SECRET),
    metrics_port: config.METRICS_PORT !== undefined,
  }
  // SIGTERM and SIGINT: one bounded shutdown that drains every part (lib/shutdown.ts).
  installShutdown({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, sentry: integrations.sentry })
  getDb().catch((error: unknown) => {
    // Another process has the embedded database's folder: serving on would answer every page
    // that reads it with an error, so this server stops, saying which process has it. By name,
    // not instanceof: the class may come from another chunk's copy of lib/db.
    if ((error as { name?: unknown } | null)?.name === 'DataDirInUse') {
      logger.fatal({ err: error }, 'database_in_use')
      void flushLogs(500).then(() => process.exit(1))
      return
    }
    logger.error({ err: error }, 'database_open_failed')
  })
  // The deploy marker: which release started (service, version and env are on every line), on
  // which Node, and what it was configured to talk to. Booleans only, never a value.
  logger.info(
    {
      node: process.version,
      database: databaseTargetFrom(config.DATABASE_URL).driver,
      integrations,
    },
    'server_started',
  )
}
