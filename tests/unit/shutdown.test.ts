// The shutdown's last line (lib/shutdown.ts, `shutdown_finished`) and its exit code, with each
// room it orders replaced by a stand-in that answers as told: whether Sentry's events and the spans
// went out is reported only when they had somewhere to go (a DSN; an exporter), never `true` for a
// delivery that did not happen, and the exit code is 0 exactly when nothing was given up.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const given = vi.hoisted(() => ({
  errorsFlushed: true,
  openTelemetryTraces: false,
  /** What stopTracing answers: undefined when no span leaves the process (lib/traces/tracing.ts). */
  spansStopped: undefined as boolean | undefined,
  info: [] as { fields: Record<string, unknown>; msg: string }[],
}))

vi.mock('@/lib/analytics', () => ({ drainAnalytics: async () => ({ abandoned: 0 }) }))
vi.mock('@/lib/audit', () => ({ drainAuditWrites: async () => ({ abandoned: 0 }) }))
vi.mock('@/lib/errors', () => ({ flushErrorTracking: async () => given.errorsFlushed }))
vi.mock('@/lib/logs', () => ({
  logger: {
    info: (fields: Record<string, unknown>, msg: string) => given.info.push({ fields, msg }),
    warn: () => {},
    error: () => {},
  },
  flushLogs: async () => {},
}))
vi.mock('@/lib/metrics', () => ({ stopMetricsListener: async () => {} }))
vi.mock('@/lib/request/http-hook', () => ({
  stopAcceptingRequests: async () => ({ unfinished: 0 }),
  closeAllConnections: () => {},
}))
vi.mock('@/lib/traces', () => ({ openTelemetryOwnsTracing: () => given.openTelemetryTraces }))
vi.mock('@/lib/traces/tracing', () => ({ stopTracing: async () => given.spansStopped }))

/** Installs a fresh shutdown (it runs once per process), sends it SIGTERM, and answers its last line and exit code. */
async function shutDown(sentry: boolean): Promise<{ finished: Record<string, unknown>; exitCode: number }> {
  vi.resetModules()
  const handlers = new Map<string, () => void>()
  vi.spyOn(process, 'on').mockImplementation(((signal: string, handler: () => void) => {
    handlers.set(signal, handler)
    return process
  }) as typeof process.on)
  const exited = new Promise<number>((resolve) =>
    vi.spyOn(process, 'exit').mockImplementation(((code: number) => resolve(code)) as typeof process.exit),
  )
  const { installShutdown } = await import('@/lib/shutdown')
  installShutdown({ timeoutMs: 1000, sentry })
  handlers.get('SIGTERM')!()
  const exitCode = await exited
  const finished = given.info.find((line) => line.msg === 'shutdown_finished')
  if (!finished) throw new Error('no shutdown_finished line')
  return { finished: finished.fields, exitCode }
}

describe('shutdown_finished', () => {
  beforeEach(() => {
    // The shutdown's own hang timer must not fire into later tests.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    given.info = []
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
  })

  it('with neither a DSN nor an exporter, claims no delivery and exits 0', async () => {
    Object.assign(given, { errorsFlushed: true, openTelemetryTraces: false, spansStopped: undefined })
    const { finished, exitCode } = await shutDown(false)
    expect(finished).toMatchObject({ drained: true })
    expect(finished).not.toHaveProperty('error_events_sent')
    expect(finished).not.toHaveProperty('spans_sent')
    expect(exitCode).toBe(0)
  })

  it('in development without either (the inspector only), claims no delivery either', async () => {
    Object.assign(given, { errorsFlushed: true, openTelemetryTraces: true, spansStopped: undefined })
    const { finished, exitCode } = await shutDown(false)
    expect(finished).not.toHaveProperty('error_events_sent')
    expect(finished).not.toHaveProperty('spans_sent')
    expect(exitCode).toBe(0)
  })

  it('with a DSN and an exporter, says both went out and exits 0', async () => {
    Object.assign(given, { errorsFlushed: true, openTelemetryTraces: true, spansStopped: true })
    const { finished, exitCode } = await shutDown(true)
    expect(finished).toMatchObject({ drained: true, error_events_sent: true, spans_sent: true })
    expect(exitCode).toBe(0)
  })

  it('says which did not go out, and exits 1', async () => {
    Object.assign(given, { errorsFlushed: false, openTelemetryTraces: true, spansStopped: true })
    expect(await shutDown(true)).toMatchObject({
      finished: { drained: false, error_events_sent: false, spans_sent: true },
      exitCode: 1,
    })
    Object.assign(given, { errorsFlushed: true, openTelemetryTraces: true, spansStopped: false })
    given.info = []
    expect(await shutDown(true)).toMatchObject({
      finished: { drained: false, error_events_sent: true, spans_sent: false },
      exitCode: 1,
    })
  })
})
