// The real posthog-node SDK, pointed at a local recording server, behind our adapter.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PostHogAnalytics, createPostHogClient } from '@/lib/analytics/posthog-server'
import { PostHogFlags } from '@/lib/flags/posthog-flags'
import { FLAG_TIMEOUT_MS, evaluateFlag } from '@/lib/flags'
import { FLAGS } from '@/lib/flags/registry'
import { logger } from '@/lib/logs/logger'
import { metrics } from '@/lib/metrics/registry'
import { startPostHogRecorder, type PostHogRecorder, type RecorderOptions } from '../support/posthog-recorder'

const DEFAULT = FLAGS.customer_history.default

async function evaluations(result: string): Promise<number> {
  const values = (await metrics().featureFlagEvaluations.get()).values
  return values.find((v) => v.labels.flag === 'customer_history' && v.labels.result === result)?.value ?? 0
}

/** Evaluates customer_history through the real posthog-node against a recorder answering `flags`. */
async function evaluateAgainst(flags: RecorderOptions['flags']) {
  const backend = await startPostHogRecorder({ flags })
  const client = createPostHogClient('phc_test', backend.url)
  const warn = vi.spyOn(logger, 'warn')
  const before = { backend: await evaluations('backend'), default: await evaluations('default'), error: await evaluations('error'), timeout: await evaluations('timeout') }
  const started = performance.now()
  const value = await evaluateFlag('customer_history', { distinctId: 'user-1', orgId: 'org-1' }, new PostHogFlags(client))
  const elapsed = performance.now() - started
  const counted = {
    backend: (await evaluations('backend')) - before.backend,
    default: (await evaluations('default')) - before.default,
    error: (await evaluations('error')) - before.error,
    timeout: (await evaluations('timeout')) - before.timeout,
  }
  const warnings = warn.mock.calls.map((call) => ({ fields: call[0] as Record<string, unknown>, msg: call[1] }))
  warn.mockRestore()
  await backend.close()
  await client.shutdown().catch(() => {})
  return { value, elapsed, counted, warnings, backend }
}

// First in the file: posthog-node prints each deprecation warning once per process.
describe('PostHog feature flags through the real posthog-node', () => {
  const consoleWarn = vi.spyOn(console, 'warn')
  afterEach(() => consoleWarn.mockClear())
  afterAll(() => consoleWarn.mockRestore())

  it('a normal answer is used, with no warning, no deprecation notice and no exposure event', async () => {
    const { value, counted, warnings, backend } = await evaluateAgainst({ customer_history: !DEFAULT })
    expect(value).toBe(!DEFAULT)
    expect(counted).toEqual({ backend: 1, default: 0, error: 0, timeout: 0 })
    expect(warnings).toEqual([])
    expect(consoleWarn).not.toHaveBeenCalled()
    // It asked about this flag for this user and organization, and recorded no $feature_flag_called.
    const asked = backend.requests.filter((r) => r.path.startsWith('/flags'))
    expect(asked).toHaveLength(1)
    expect(backend.bodies.some((body) => body.includes('"distinct_id":"user-1"') && body.includes('"organization":"org-1"'))).toBe(true)
    expect(backend.events.map((e) => e.event)).not.toContain('$feature_flag_called')
  })

  it('a flag PostHog does not know gets its default, counted as default, without a warning', async () => {
    const { value, counted, warnings } = await evaluateAgainst({})
    expect(value).toBe(DEFAULT)
    expect(counted).toEqual({ backend: 0, default: 1, error: 0, timeout: 0 })
    expect(warnings).toEqual([])
  })

  it('a 500 gives the safe default, exactly one warn line and an error count', async () => {
    const { value, counted, warnings } = await evaluateAgainst('error')
    expect(value).toBe(DEFAULT)
    expect(counted).toEqual({ backend: 0, default: 0, error: 1, timeout: 0 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ msg: 'feature_flag_fallback', fields: { flag: 'customer_history', result: 'error' } })
    expect(consoleWarn).not.toHaveBeenCalled()
  })

  it('a backend that never answers gives the safe default within the bound, one warn line and a timeout count', async () => {
    const { value, elapsed, counted, warnings } = await evaluateAgainst('hang')
    expect(value).toBe(DEFAULT)
    expect(elapsed).toBeLessThan(FLAG_TIMEOUT_MS + 150)
    expect(counted).toEqual({ backend: 0, default: 0, error: 0, timeout: 1 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ msg: 'feature_flag_fallback', fields: { flag: 'customer_history', result: 'timeout' } })
  })

  it("on one shared client, a failing request is blamed on itself only, not on calls in flight beside it", async () => {
    // u-bad's /flags answers 500 at once while u-good's flags and an event are still in flight.
    const backend = await startPostHogRecorder({ flags: (id) => (id === 'u-bad' ? 'error' : { customer_history: !DEFAULT }), delayMs: 150 })
    const client = createPostHogClient('phc_test', backend.url)
    const flags = new PostHogFlags(client)
    const results = await Promise.allSettled([
      flags.evaluate('customer_history', { distinctId: 'u-good' }),
      new PostHogAnalytics(client).capture({ event: 'signed_out', properties: { feature: 'auth', surface: 'app_shell' }, distinctId: 'u-good' }),
      flags.evaluate('customer_history', { distinctId: 'u-bad' }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected'])
    expect((results[0] as PromiseFulfilledResult<unknown>).value).toBe(!DEFAULT)
    await backend.close()
    await client.shutdown().catch(() => {})
  })
})

describe('PostHog on the server', () => {
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
      properties: { feature: 'customers', surface: 'api', source: 'api', org_id: 'org-1', request_id: 'req-1', $groups: { organization: 'org-1' } },
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
    expect(sent).toMatchObject({ distinct_id: 'generated-for-this-request', properties: { $process_person_profile: false } })
    await client.shutdown()
  })

  it('with the backend down, capture rejects quickly (for track() to log and count) instead of hanging', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const started = performance.now()
    await expect(
      new PostHogAnalytics(client).capture({ event: 'signed_out', properties: { feature: 'auth', surface: 'app_shell' }, distinctId: 'u' }),
    ).rejects.toBeDefined()
    expect(performance.now() - started).toBeLessThan(8000)
    await client.shutdown().catch(() => {})
  })

  it('flags: an unreachable PostHog gives the safe default within the timeout, counted as an error', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const before = await evaluations('error')
    const started = performance.now()
    const value = await evaluateFlag('customer_history', { distinctId: 'u1' }, new PostHogFlags(client))
    expect(value).toBe(DEFAULT)
    expect(performance.now() - started).toBeLessThan(FLAG_TIMEOUT_MS + 150)
    expect(await evaluations('error')).toBe(before + 1)
    await client.shutdown().catch(() => {})
  })
})
