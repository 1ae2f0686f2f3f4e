// Server-side analytics without a PostHog key: track() counts every event it hands to the
// backend in analytics_events_total, a failing backend is logged and counted (never thrown), and
// shutdownAnalytics() has nothing to close, so posthog-node is never loaded.
import { describe, expect, it, vi } from 'vitest'
import { ConsoleAnalytics } from '@/lib/analytics/console-adapter'
import { logger } from '@/lib/logs/logger'
import { metrics } from '@/lib/metrics/registry'

const posthogServer = vi.hoisted(() => ({ loaded: false }))
vi.mock('next/server', () => ({ after: (task: () => unknown) => void task() }))
// Stands in for the file that imports posthog-node, to see whether anything loads it.
vi.mock('@/lib/analytics/posthog-server', () => {
  posthogServer.loaded = true
  return {}
})
vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', '') // empty counts as unset

const { shutdownAnalytics, track } = await import('@/lib/analytics')

async function counted(result: 'ok' | 'error' | 'dropped'): Promise<number> {
  return (await metrics().analyticsEvents.get()).values.find((v) => v.labels.result === result)?.value ?? 0
}

describe('server track() without a PostHog key', () => {
  it('counts a delivered event as ok', async () => {
    const before = { ok: await counted('ok'), error: await counted('error') }
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'user-1' })
    await vi.waitFor(async () => expect(await counted('ok')).toBe(before.ok + 1))
    expect(await counted('error')).toBe(before.error)
  })

  it('logs a failing backend with what rebuilds the event, counts it as error, and does not throw', async () => {
    const capture = vi.spyOn(ConsoleAnalytics.prototype, 'capture').mockRejectedValueOnce(new Error('backend down'))
    const warn = vi.spyOn(logger, 'warn')
    const before = { ok: await counted('ok'), error: await counted('error') }
    await expect(
      track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'user-1' }),
    ).resolves.toBeUndefined()
    await vi.waitFor(async () => expect(await counted('error')).toBe(before.error + 1))
    expect(await counted('ok')).toBe(before.ok)
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({
        err: expect.any(Error),
        event: 'signed_out',
        distinct_id: 'user-1',
        anonymous: false,
        properties: expect.objectContaining({ feature: 'auth', surface: 'app_shell' }),
      }),
      'analytics_capture_failed',
    )
    capture.mockRestore()
    warn.mockRestore()
  })
})

describe('server track() failing for an anonymous visitor', () => {
  it('logs the event as anonymous, so sending it again makes no person profile', async () => {
    const capture = vi.spyOn(ConsoleAnalytics.prototype, 'capture').mockRejectedValueOnce(new Error('backend down'))
    const warn = vi.spyOn(logger, 'warn')
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }) // no distinctId
    await vi.waitFor(() =>
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ anonymous: true, distinct_id: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
        'analytics_capture_failed',
      ),
    )
    capture.mockRestore()
    warn.mockRestore()
  })
})

describe('server track() with a backend that never answers', () => {
  it('holds at most MAX_OWED_EVENTS events; the next is dropped, counted and logged with what rebuilds it', async () => {
    const { MAX_OWED_EVENTS } = await import('@/lib/analytics/pending-sends')
    const release: (() => void)[] = []
    const capture = vi
      .spyOn(ConsoleAnalytics.prototype, 'capture')
      .mockImplementation(() => new Promise<void>((resolve) => release.push(resolve)))
    const warn = vi.spyOn(logger, 'warn')
    const before = await counted('dropped')
    for (let i = 0; i < MAX_OWED_EVENTS; i++)
      await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: `held-${i}` })
    await vi.waitFor(() => expect(release).toHaveLength(MAX_OWED_EVENTS))
    expect(await counted('dropped')).toBe(before)

    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'one-too-many' })
    expect(await counted('dropped')).toBe(before + 1)
    expect(release).toHaveLength(MAX_OWED_EVENTS) // never handed to the backend
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'signed_out', distinct_id: 'one-too-many', reason: 'too_many_held' }),
      'analytics_capture_dropped',
    )

    // Once the backend answers, room is made again.
    for (const resolve of release.splice(0)) resolve()
    await new Promise((resolve) => setTimeout(resolve, 0))
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'after' })
    expect(await counted('dropped')).toBe(before + 1)
    for (const resolve of release.splice(0)) resolve()
    capture.mockRestore()
    warn.mockRestore()
  })
})

describe('shutdownAnalytics() without a PostHog key', () => {
  it('resolves, also when called twice, without loading posthog-node', async () => {
    await expect(Promise.all([shutdownAnalytics(), shutdownAnalytics()])).resolves.toEqual([undefined, undefined])
    expect(posthogServer.loaded).toBe(false)
  })
})

describe('the console adapter', () => {
  // Development's default level is debug: what people did shows, the five Web Vitals of every
  // page load do not (they are in Prometheus and the inspector).
  it('logs events at debug and performance measurements at trace', async () => {
    const levels = new Map<string, string>()
    const spies = (['trace', 'debug'] as const).map((level) =>
      vi.spyOn(logger, level).mockImplementation(((fields: { event: string }) => {
        levels.set(fields.event, level)
      }) as never),
    )
    try {
      const adapter = new ConsoleAnalytics()
      await adapter.capture({
        event: 'signed_out',
        properties: { feature: 'auth', surface: 'app_shell' },
        distinctId: 'u',
      })
      await adapter.capture({
        event: 'web_vital',
        properties: {
          feature: 'performance',
          surface: 'page',
          name: 'LCP',
          value: 1200,
          rating: 'good',
          route: '/',
        },
        distinctId: 'u',
      })
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
    expect(Object.fromEntries(levels)).toEqual({ signed_out: 'debug', web_vital: 'trace' })
  })
})
