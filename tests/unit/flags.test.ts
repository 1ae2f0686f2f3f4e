// isEnabled() through the backend it picks without a PostHog key: fixed values from
// FEATURE_FLAGS (MemoryFlags). A backend that knows nothing, fails or hangs is played by that
// adapter's evaluate(), spied on: lib/flags has no hook to swap its backend. A failure pauses the
// backend for FLAG_BACKEND_PAUSE_MS of Date.now(), which is faked so each test can step past it.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { MemoryFlags } from '@/lib/flags/adapter'
import { FLAG_BACKEND_PAUSE_MS, FLAG_TIMEOUT_MS, isEnabled } from '@/lib/flags'
import { FLAGS, parseFlagOverrides } from '@/lib/flags/registry'
import { metrics } from '@/lib/metrics/registry'
import { logger } from '@/lib/logs/logger'

const context = { distinctId: 'user-1', orgId: 'org-1' }
const DEFAULT = FLAGS.customer_history.default
// Read by lib/env on the first evaluation below.
vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', '')
vi.stubEnv('FEATURE_FLAGS', `customer_history=${!DEFAULT}`)

describe('FEATURE_FLAGS parsing', () => {
  it('reads name=true,other=false and reports what it ignores', () => {
    expect(parseFlagOverrides('customer_history=false')).toEqual({ values: { customer_history: false }, problems: [] })
    expect(parseFlagOverrides(' customer_history = true ,')).toEqual({
      values: { customer_history: true },
      problems: [],
    })
    expect(parseFlagOverrides('nope=true,customer_history=maybe').problems).toEqual([
      'unknown flag "nope"',
      '"customer_history" must be true or false, not "maybe"',
    ])
    expect(parseFlagOverrides(undefined)).toEqual({ values: {}, problems: [] })
  })
})

const evaluations = async (result: string) =>
  (await metrics().featureFlagEvaluations.get()).values.find((v) => v.labels.result === result)?.value ?? 0

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})

describe('isEnabled', () => {
  // Whatever a test broke, the next one starts with the pause over.
  afterEach(() => {
    vi.setSystemTime(Date.now() + FLAG_BACKEND_PAUSE_MS)
  })

  it('uses the value FEATURE_FLAGS gives', async () => {
    expect(await isEnabled('customer_history', context)).toBe(!DEFAULT)
  })

  it('falls back to the default when the backend has no value', async () => {
    const evaluate = vi.spyOn(MemoryFlags.prototype, 'evaluate').mockResolvedValueOnce({})
    expect(await isEnabled('customer_history', context)).toBe(DEFAULT)
    expect(evaluate).toHaveBeenCalledOnce()
    evaluate.mockRestore()
  })

  it('falls back to the default, with one warn line, when the backend errors', async () => {
    const evaluate = vi.spyOn(MemoryFlags.prototype, 'evaluate').mockRejectedValueOnce(new Error('flags backend 500'))
    const warn = vi.spyOn(logger, 'warn')
    const before =
      (await metrics().featureFlagEvaluations.get()).values.find((v) => v.labels.result === 'error')?.value ?? 0
    expect(await isEnabled('customer_history', context)).toBe(DEFAULT)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[1]).toBe('feature_flag_fallback')
    const after = (await metrics().featureFlagEvaluations.get()).values.find((v) => v.labels.result === 'error')?.value
    expect(after).toBe(before + 1)
    warn.mockRestore()
    evaluate.mockRestore()
  })

  it('answers with the default within the timeout when the backend hangs', async () => {
    const evaluate = vi.spyOn(MemoryFlags.prototype, 'evaluate').mockReturnValueOnce(new Promise(() => {}))
    const started = performance.now()
    expect(await isEnabled('customer_history', context)).toBe(DEFAULT)
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(FLAG_TIMEOUT_MS - 5)
    expect(elapsed).toBeLessThan(2 * FLAG_TIMEOUT_MS) // the bound, with room for a busy CI machine
    evaluate.mockRestore()
  })

  it('does not ask a failed backend again until the pause is over, then asks it once', async () => {
    const evaluate = vi.spyOn(MemoryFlags.prototype, 'evaluate').mockRejectedValueOnce(new Error('flags backend 500'))
    const warn = vi.spyOn(logger, 'warn')
    const pausedBefore = await evaluations('paused')
    expect(await isEnabled('customer_history', context)).toBe(DEFAULT)
    // Within the pause: the default at once, without asking, counted as paused, no further line.
    vi.setSystemTime(Date.now() + FLAG_BACKEND_PAUSE_MS - 1)
    const started = performance.now()
    expect(await isEnabled('customer_history', { ...context, distinctId: 'user-2' })).toBe(DEFAULT)
    expect(performance.now() - started).toBeLessThan(FLAG_TIMEOUT_MS) // did not wait on the backend
    expect(evaluate).toHaveBeenCalledTimes(1)
    expect(await evaluations('paused')).toBe(pausedBefore + 1)
    expect(warn).toHaveBeenCalledTimes(1)
    // Over: the backend is asked again, and its answer is used.
    vi.setSystemTime(Date.now() + 1)
    expect(await isEnabled('customer_history', { ...context, distinctId: 'user-3' })).toBe(!DEFAULT)
    expect(evaluate).toHaveBeenCalledTimes(2)
    warn.mockRestore()
    evaluate.mockRestore()
  })

  it('lets one request ask whether the backend is back while the others use the defaults', async () => {
    const evaluate = vi.spyOn(MemoryFlags.prototype, 'evaluate').mockRejectedValueOnce(new Error('flags backend 500'))
    expect(await isEnabled('customer_history', context)).toBe(DEFAULT)
    vi.setSystemTime(Date.now() + FLAG_BACKEND_PAUSE_MS)
    let answer: (values: { customer_history: boolean }) => void = () => {}
    evaluate.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)))
    const probe = isEnabled('customer_history', { ...context, distinctId: 'user-4' })
    await new Promise((resolve) => setTimeout(resolve, 10)) // the probe is asking
    expect(await isEnabled('customer_history', { ...context, distinctId: 'user-5' })).toBe(DEFAULT)
    answer({ customer_history: !DEFAULT })
    expect(await probe).toBe(!DEFAULT)
    // The backend answered: no pause any more.
    expect(await isEnabled('customer_history', { ...context, distinctId: 'user-6' })).toBe(!DEFAULT)
    expect(evaluate).toHaveBeenCalledTimes(3)
    evaluate.mockRestore()
  })
})
