// Whether a server loads the Sentry SDK at all: only with somewhere to send events. The adapter
// (lib/errors/sentry-server.ts, which imports @sentry/nextjs) is replaced here by a recorder,
// so the test sees whether it was imported and started, and with what.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const adapter = vi.hoisted(() => ({ imported: 0, started: [] as unknown[], captured: [] as unknown[] }))

vi.mock('@/lib/errors/sentry-server', () => {
  adapter.imported++
  return {
    startSentry: (options: unknown) => adapter.started.push(options),
    captureException: (error: unknown) => adapter.captured.push(error),
    flushErrorTracking: async () => false,
  }
})

beforeEach(() => {
  vi.resetModules()
  adapter.imported = 0
  adapter.started = []
  adapter.captured = []
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.errorTrackingSdk')] // lib/singleton.ts's key
})
afterEach(() => vi.unstubAllEnvs())

// Fresh modules and a fresh process-wide slot (lib/singleton.ts) for each test (beforeEach).
const errors = () => import('@/lib/errors')

describe('startErrorTracking', () => {
  it('without a DSN (nor Spotlight, nor next dev) never imports the SDK, and every call is a no-op', async () => {
    vi.stubEnv('NEXT_PUBLIC_SENTRY_DSN', '')
    const { startErrorTracking, captureException, flushErrorTracking, errorTrackingWanted } = await errors()
    expect(errorTrackingWanted()).toBe(false)
    await startErrorTracking()
    captureException(new Error('nobody hears this'))
    expect(await flushErrorTracking(100)).toBe(true)
    expect(adapter.imported).toBe(0)
    expect(adapter.captured).toEqual([])
  })

  it('with a DSN imports the SDK once, starts it with the transport given, and forwards calls to it', async () => {
    vi.stubEnv('NEXT_PUBLIC_SENTRY_DSN', 'https://key@sentry.example.com/7')
    const { startErrorTracking, captureException, flushErrorTracking, errorTrackingWanted } = await errors()
    expect(errorTrackingWanted()).toBe(true)
    const transport = () => ({}) as never
    await startErrorTracking({ transport })
    await startErrorTracking({ transport })
    expect(adapter.imported).toBe(1)
    expect(adapter.started).toEqual([{ transport }])
    const error = new Error('reported')
    captureException(error)
    expect(adapter.captured).toEqual([error])
    expect(await flushErrorTracking(100)).toBe(false) // the adapter's answer, not the no-op's
  })
})
