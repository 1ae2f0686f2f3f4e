// The Node server's one shutdown, on SIGTERM or SIGINT: stop taking connections, let the requests
// in flight finish, then flush what was promised after them (audit rows, analytics events) and
// what the SDKs still hold (Sentry events, spans), all within SHUTDOWN_TIMEOUT_MS, and exit. Each
// part is done by the room that owns it; this file only orders them and shares out the time.
//
// `next start` stops on these signals by itself (server.close(), then the after() tasks, then
// exit 143), with no deadline and without waiting for anything of ours: `npm start` sets
// NEXT_MANUAL_SIG_HANDLE so that this is the only handler. docs/reliability.md says what was
// measured, and what happens on Vercel.
import 'server-only'
import { drainAnalytics } from './analytics'
import { drainAuditWrites } from './audit'
import { flushErrorTracking } from './errors'
import { flushLogs, logger } from './logs'
import { stopMetricsListener } from './metrics'
import { closeAllConnections, stopAcceptingRequests } from './request/http-hook'
import { openTelemetryOwnsTracing } from './traces'

/** Requests may use this share of the deadline; the drains and the SDKs keep the rest. */
const REQUESTS_SHARE = 0.75
/**
 * The last share of the deadline is the SDKs' (Sentry's events, the spans): drains that wait for
 * a hung PostHog or a locked audit table would otherwise take all of it, and the spans and error
 * events that say what went wrong were lost with them (a fault review: `spans_sent: false`).
 */
const FLUSH_SHARE = 0.1
/** At most this long for the log lines to be written out, after the deadline's work. */
const LOG_FLUSH_MS = 500
/** Past the deadline by this much, something hung: exit anyway, as the deadline promised. */
const HANG_MARGIN_MS = 1000

let stopping = false

/**
 * Makes SIGTERM and SIGINT stop the server as above; the process exits when done. `sentry`: a
 * DSN is set (server_started's `integrations.sentry`), so error events leave the process.
 */
export function installShutdown({ timeoutMs, sentry }: { timeoutMs: number; sentry: boolean }): void {
  if (!process.env.NEXT_MANUAL_SIG_HANDLE && !process.env.VERCEL && process.env.NODE_ENV === 'production') {
    // Next's own handler runs too and exits once its server has closed, perhaps mid-flush.
    logger.warn({ fix: 'start with `npm start`, which sets NEXT_MANUAL_SIG_HANDLE=true' }, 'shutdown_shared_with_next')
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void shutDown(signal, timeoutMs, sentry))
}

/**
 * Exports the spans still batched and stops the provider: whether they went out in time, or
 * undefined when no span leaves the process (tracing never started, or only the inspector's).
 */
async function stopSpans(timeoutMs: number): Promise<boolean | undefined> {
  if (!openTelemetryOwnsTracing()) return undefined // no SDK loaded: nothing to flush, nothing to load
  const { stopTracing } = await import('./traces/tracing')
  return stopTracing(timeoutMs)
}

async function shutDown(signal: NodeJS.Signals, timeoutMs: number, sentry: boolean): Promise<void> {
  if (stopping) return // a second signal (Ctrl+C twice, SIGINT to the process group) changes nothing
  stopping = true
  const started = Date.now()
  const deadline = started + timeoutMs
  setTimeout(() => {
    logger.error({ signal, timeout_ms: timeoutMs }, 'shutdown_hung')
    process.exit(1)
  }, timeoutMs + HANG_MARGIN_MS)
  logger.info({ signal, timeout_ms: timeoutMs }, 'shutdown_started')

  const requests = await stopAcceptingRequests(started + timeoutMs * REQUESTS_SHARE)
  if (requests.unfinished > 0) logger.warn({ unfinished: requests.unfinished }, 'shutdown_requests_unfinished')
  // The after() tasks of the last responses promise rows and events: both wait until the SDKs' share.
  const drainsUntil = deadline - timeoutMs * FLUSH_SHARE
  const [audit, analytics] = await Promise.all([drainAuditWrites(drainsUntil), drainAnalytics(drainsUntil)])
  const left = () => deadline - Date.now()
  // Without a DSN the SDK, when loaded at all (the inspector, in development), only keeps its
  // events in this process's memory: nothing is sent, so nothing can be given up.
  const [errorsFlushed, spansSent] = await Promise.all([flushErrorTracking(left()), stopSpans(left())])
  const errorsSent = sentry ? errorsFlushed : undefined

  const drained =
    requests.unfinished === 0 &&
    audit.abandoned === 0 &&
    analytics.abandoned === 0 &&
    errorsSent !== false &&
    spansSent !== false
  logger.info(
    {
      signal,
      duration_ms: Date.now() - started,
      drained,
      requests_unfinished: requests.unfinished,
      audit_rows_abandoned: audit.abandoned,
      analytics_events_abandoned: analytics.abandoned,
      // Only when there was somewhere to send them: `true` without a DSN or an exporter claimed a
      // delivery that never happened. Left out rather than a string such as "not_configured", so
      // each field keeps one type in a log store and `false` stays the one value to search for.
      ...(errorsSent === undefined ? {} : { error_events_sent: errorsSent }),
      ...(spansSent === undefined ? {} : { spans_sent: spansSent }),
    },
    'shutdown_finished',
  )
  closeAllConnections()
  // Scrapes were answered through the drain, so its last counts could be read; now it goes too.
  await stopMetricsListener()
  await flushLogs(LOG_FLUSH_MS) // the lines above, in the order they were written
  // 0 only when nothing was given up; 1 tells the supervisor to look at the lines above.
  process.exit(drained ? 0 : 1)
}
