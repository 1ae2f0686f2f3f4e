// The real posthog-node SDK, pointed at local recording servers: the server's one shared client
// behind the entry points the app calls (isEnabled, track), and the analytics adapter on a
// client of its own.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PostHog } from 'posthog-node'
import { shutdownAnalytics, track } from '@/lib/analytics'
import { PostHogAnalytics, createPostHogClient, evaluatePostHogFlags } from '@/lib/analytics/posthog-server'
import { FLAG_BACKEND_PAUSE_MS, FLAG_TIMEOUT_MS, evaluateAllFlags, isEnabled } from '@/lib/flags'
import { FLAG_NAMES, FLAGS } from '@/lib/flags/registry'
import { logger } from '@/lib/logs/logger'
import { metrics } from '@/lib/metrics/registry'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'

const DEFAULT = FLAGS.customer_history.default

// What /flags answers, by the distinct ID asked about: each test asks as its own user.
const ANSWERS = {
  'u-on': { customer_history: !DEFAULT },
  'u-unknown': {},
  'u-500': 'error',
  'u-hang': 'hang',
  'u-good': { customer_history: !DEFAULT },
  'u-bad': 'error',
} as const
const shared = await startPostHogRecorder({ flags: (id) => ANSWERS[id as keyof typeof ANSWERS] ?? {} })
// Read by lib/env on first use, i.e. by the first isEnabled() or track() below.
vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', 'phc_test')
vi.stubEnv('POSTHOG_HOST', shared.url)
vi.stubEnv('FEATURE_FLAGS', '') // set, it would replace PostHog as the flags backend
afterAll(() => shared.close())

type FlagResult = 'backend' | 'default' | 'error' | 'timeout'
async function flagCounts(): Promise<Record<FlagResult, number>> {
  const values = (await metrics().featureFlagEvaluations.get()).values
  const count = (result: FlagResult) =>
    values.find((v) => v.labels.flag === 'customer_history' && v.labels.result === result)?.value ?? 0
  return { backend: count('backend'), default: count('default'), error: count('error'), timeout: count('timeout') }
}
async function analyticsCount(result: 'ok' | 'error'): Promise<number> {
  return (await metrics().analyticsEvents.get()).values.find((v) => v.labels.result === result)?.value ?? 0
}
const difference = (after: Record<FlagResult, number>, before: Record<FlagResult, number>) =>
  Object.fromEntries(Object.entries(after).map(([result, n]) => [result, n - before[result as FlagResult]]))

/** isEnabled('customer_history') as `distinctId`, through the shared client to the recorder. */
async function evaluateAs(distinctId: keyof typeof ANSWERS) {
  const warn = vi.spyOn(logger, 'warn')
  const before = await flagCounts()
  const started = performance.now()
  const value = await isEnabled('customer_history', { distinctId, orgId: 'org-1' })
  const elapsed = performance.now() - started
  const counted = difference(await flagCounts(), before)
  const warnings = warn.mock.calls.map((call) => ({ fields: call[0] as Record<string, unknown>, msg: call[1] }))
  warn.mockRestore()
  return { value, elapsed, counted, warnings }
}

const askedAbout = (distinctId: string) =>
  shared.bodies.filter((body) => body.includes(`"distinct_id":"${distinctId}"`) && !body.includes('"batch"'))

// Before anything in this file uses the shared client.
describe('shutdownAnalytics before the shared client exists', () => {
  it('creates no client to close, sends nothing and resolves', async () => {
    const shutdown = vi.spyOn(PostHog.prototype, 'shutdown')
    await shutdownAnalytics()
    expect(shutdown).not.toHaveBeenCalled()
    expect(shared.requests).toEqual([])
    shutdown.mockRestore()
  })
})

// The first to evaluate flags: posthog-node prints each deprecation warning once per process.
describe('PostHog feature flags through the shared client', () => {
  const consoleWarn = vi.spyOn(console, 'warn')
  // A failed request pauses the backend (lib/flags); each test starts with the pause over.
  afterEach(() => {
    consoleWarn.mockClear()
    vi.setSystemTime(Date.now() + FLAG_BACKEND_PAUSE_MS)
  })
  afterAll(() => {
    consoleWarn.mockRestore()
    vi.useRealTimers()
  })

  it('a normal answer is used, with no warning, no deprecation notice and no exposure event', async () => {
    const { value, counted, warnings } = await evaluateAs('u-on')
    expect(value).toBe(!DEFAULT)
    expect(counted).toEqual({ backend: 1, default: 0, error: 0, timeout: 0 })
    expect(warnings).toEqual([])
    expect(consoleWarn).not.toHaveBeenCalled()
    // It asked once about this flag for this user and organization, and recorded no $feature_flag_called.
    expect(askedAbout('u-on')).toHaveLength(1)
    expect(askedAbout('u-on')[0]).toContain('"organization":"org-1"')
    expect(shared.events.map((e) => e.event)).not.toContain('$feature_flag_called')
  })

  it('a flag PostHog does not know gets its default, counted as default, without a warning', async () => {
    const { value, counted, warnings } = await evaluateAs('u-unknown')
    expect(value).toBe(DEFAULT)
    expect(counted).toEqual({ backend: 0, default: 1, error: 0, timeout: 0 })
    expect(warnings).toEqual([])
  })

  it('a 500 gives the safe default, exactly one warn line and an error count', async () => {
    const { value, counted, warnings } = await evaluateAs('u-500')
    expect(value).toBe(DEFAULT)
    expect(counted).toEqual({ backend: 0, default: 0, error: 1, timeout: 0 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      msg: 'feature_flag_fallback',
      fields: { flags: ['customer_history'], result: 'error' },
    })
    expect(consoleWarn).not.toHaveBeenCalled()
  })

  it('a backend that never answers gives the safe default within the bound, one warn line and a timeout count', async () => {
    const { value, elapsed, counted, warnings } = await evaluateAs('u-hang')
    expect(value).toBe(DEFAULT)
    expect(elapsed).toBeLessThan(2 * FLAG_TIMEOUT_MS) // the bound, with room for a busy CI machine
    expect(counted).toEqual({ backend: 0, default: 0, error: 0, timeout: 1 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({
      msg: 'feature_flag_fallback',
      fields: { flags: ['customer_history'], result: 'timeout' },
    })
  })

  it('all flags come from one /flags request, which isEnabled() reads too', async () => {
    const flagRequests = () => shared.requests.filter((r) => r.path.startsWith('/flags')).length
    const before = flagRequests()
    const values = await evaluateAllFlags('u-on', 'org-1')
    expect(Object.keys(values).sort()).toEqual([...FLAG_NAMES].sort())
    expect(flagRequests()).toBe(before + 1)
    // Outside a render React's cache() does not share answers, so this is a second request; in a
    // render, the layout's evaluateAllFlags() and a page's isEnabled() share the first one.
    expect(await isEnabled('customer_history', { distinctId: 'u-on', orgId: 'org-1' })).toBe(values.customer_history)
    expect(flagRequests()).toBe(before + 2)
  })

  it('flags and analytics go through one client', async () => {
    // The SDK's own methods, spied on (they still run): which client object served each call.
    const evaluateFlags = vi.spyOn(PostHog.prototype, 'evaluateFlags')
    const captureImmediate = vi.spyOn(PostHog.prototype, 'captureImmediate')
    await isEnabled('customer_history', { distinctId: 'u-on' })
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-on' })
    await vi.waitFor(() => expect(captureImmediate).toHaveBeenCalledTimes(1))
    expect(evaluateFlags).toHaveBeenCalledTimes(1)
    expect(captureImmediate.mock.contexts[0]).toBe(evaluateFlags.mock.contexts[0])
    evaluateFlags.mockRestore()
    captureImmediate.mockRestore()
  })

  it('on the shared client, a failing request is blamed on itself only, not on calls in flight beside it', async () => {
    // u-bad's /flags answers 500 at once while u-good's flags and an event are still in flight.
    shared.delayMs = 150
    const before = { flags: await flagCounts(), ok: await analyticsCount('ok'), error: await analyticsCount('error') }
    try {
      const values = await Promise.all([
        isEnabled('customer_history', { distinctId: 'u-good' }),
        track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-good' }).then(() => undefined),
        isEnabled('customer_history', { distinctId: 'u-bad' }),
      ])
      expect(values).toEqual([!DEFAULT, undefined, DEFAULT])
      expect(difference(await flagCounts(), before.flags)).toEqual({ backend: 1, default: 0, error: 1, timeout: 0 })
      // track() sends in the background (no request scope here): wait for its count.
      await vi.waitFor(async () => expect(await analyticsCount('ok')).toBe(before.ok + 1))
      expect(await analyticsCount('error')).toBe(before.error)
    } finally {
      shared.delayMs = 0
    }
  })
})

describe('shutdownAnalytics on the shared client', () => {
  afterEach(() => {
    shared.delayMs = 0
  })

  it('an event sent just before shutdown has been answered by PostHog when shutdown resolves', async () => {
    shared.delayMs = 400 // PostHog takes this long to answer each request
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-last' })
    const started = performance.now()
    await shutdownAnalytics()
    // It waited for the answer to the send in flight, not just for the request to leave.
    expect(performance.now() - started).toBeGreaterThanOrEqual(350)
    expect(shared.events.filter((e) => e.distinct_id === 'u-last').map((e) => e.event)).toEqual(['signed_out'])
  })

  it('is safe to call twice: a second call during the first joins it, and the client still sends afterwards', async () => {
    const shutdown = vi.spyOn(PostHog.prototype, 'shutdown')
    shared.delayMs = 200
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-twice' })
    await Promise.all([shutdownAnalytics(), shutdownAnalytics()])
    expect(shutdown).toHaveBeenCalledTimes(1)
    shutdown.mockRestore()
    // A straggler after shutdown (a request Next is still draining) is not lost.
    shared.delayMs = 0
    const before = await analyticsCount('ok')
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-straggler' })
    await vi.waitFor(async () => expect(await analyticsCount('ok')).toBe(before + 1))
    expect(shared.events.filter((e) => e.distinct_id === 'u-straggler')).toHaveLength(1)
  })

  it('returns within its deadline when PostHog never answers', async () => {
    shared.delayMs = 60_000 // longer than the test: PostHog hangs (close() drops the held answers)
    await track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'u-hung' })
    // posthog-node prints "Timeout while shutting down PostHog" on the console here.
    const started = performance.now()
    await shutdownAnalytics(300)
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(290) // it did wait for the send…
    expect(elapsed).toBeLessThan(2 * 300) // …and not much longer than its deadline (room for a busy CI machine)
  })
})

describe('the PostHog adapters on a client of their own', () => {
  let recorder: PostHogRecorder
  beforeAll(async () => {
    recorder = await startPostHogRecorder()
  })
  afterAll(async () => {
    await recorder.close()
  })

  it('sends an event with its tags, request ID and organization group', async () => {
    const client = createPostHogClient('phc_test', recorder.url)
    const analytics = new PostHogAnalytics(client)
    await analytics.capture({
      event: 'customer_created',
      properties: { feature: 'customers', surface: 'api', source: 'api', org_id: 'org-1', request_id: 'req-1' },
      distinctId: 'user-1',
    })
    const sent = recorder.events.filter((e) => e.event === 'customer_created')
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      distinct_id: 'user-1',
      properties: {
        feature: 'customers',
        surface: 'api',
        source: 'api',
        org_id: 'org-1',
        request_id: 'req-1',
        $groups: { organization: 'org-1' },
      },
    })
    await client.shutdown()
  })

  it('does not create a person profile for an anonymous event', async () => {
    const client = createPostHogClient('phc_test', recorder.url)
    await new PostHogAnalytics(client).capture({
      event: 'signed_out',
      properties: { feature: 'auth', surface: 'app_shell', request_id: 'req-anon' },
      distinctId: undefined,
      anonymousId: 'generated-for-this-request',
    })
    const sent = recorder.events.find((e) => e.properties.request_id === 'req-anon')
    // The request ID (which a client may have chosen) is a property, never the identity.
    expect(sent).toMatchObject({
      distinct_id: 'generated-for-this-request',
      properties: { $process_person_profile: false },
    })
    await client.shutdown()
  })

  it('with the backend down, capture rejects quickly (for track() to log and count) instead of hanging', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const started = performance.now()
    await expect(
      new PostHogAnalytics(client).capture({
        event: 'signed_out',
        properties: { feature: 'auth', surface: 'app_shell' },
        distinctId: 'u',
      }),
    ).rejects.toBeDefined()
    expect(performance.now() - started).toBeLessThan(8000)
    await client.shutdown().catch(() => {})
  })

  it('flags: with PostHog unreachable, the flag request rejects (lib/flags then falls back and counts an error) within the flag bound', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const started = performance.now()
    await expect(evaluatePostHogFlags(client, ['customer_history'], { distinctId: 'u1' })).rejects.toBeDefined()
    expect(performance.now() - started).toBeLessThan(2 * FLAG_TIMEOUT_MS) // room for a busy CI machine
    await client.shutdown().catch(() => {})
  })
})
