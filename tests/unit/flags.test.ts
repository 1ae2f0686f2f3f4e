// isEnabled() through the backend it picks without a PostHog key: fixed values from
// FEATURE_FLAGS (MemoryFlags). A backend that knows nothing, fails or hangs is played by that
// adapter's evaluate(), spied on: lib/flags has no hook to swap its backend.
import { describe, expect, it, vi } from 'vitest'
import { MemoryFlags } from '@/lib/flags/adapter'
import { FLAG_TIMEOUT_MS, isEnabled } from '@/lib/flags'
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

describe('isEnabled', () => {
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
    expect(elapsed).toBeLessThan(FLAG_TIMEOUT_MS + 200)
    evaluate.mockRestore()
  })
})
