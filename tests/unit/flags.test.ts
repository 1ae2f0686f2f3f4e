import { describe, expect, it, vi } from 'vitest'
import { MemoryFlags, type FlagsAdapter } from '@/lib/flags/adapter'
import { FLAG_TIMEOUT_MS, evaluateFlag } from '@/lib/flags'
import { FLAGS, parseFlagOverrides } from '@/lib/flags/registry'
import { metrics } from '@/lib/metrics/registry'
import { logger } from '@/lib/logs/logger'

const context = { distinctId: 'user-1', orgId: 'org-1' }
const DEFAULT = FLAGS.customer_history.default

describe('FEATURE_FLAGS parsing', () => {
  it('reads name=true,other=false and reports what it ignores', () => {
    expect(parseFlagOverrides('customer_history=false')).toEqual({ values: { customer_history: false }, problems: [] })
    expect(parseFlagOverrides(' customer_history = true ,')).toEqual({ values: { customer_history: true }, problems: [] })
    expect(parseFlagOverrides('nope=true,customer_history=maybe').problems).toEqual([
      'unknown flag "nope"',
      '"customer_history" must be true or false, not "maybe"',
    ])
    expect(parseFlagOverrides(undefined)).toEqual({ values: {}, problems: [] })
  })
})

describe('evaluateFlag', () => {
  it('uses the in-memory adapter’s value', async () => {
    expect(await evaluateFlag('customer_history', context, new MemoryFlags({ customer_history: !DEFAULT }))).toBe(!DEFAULT)
  })

  it('falls back to the default when the backend has no value', async () => {
    expect(await evaluateFlag('customer_history', context, new MemoryFlags({}))).toBe(DEFAULT)
  })

  it('falls back to the default, with one warn line, when the backend errors', async () => {
    const warn = vi.spyOn(logger, 'warn')
    const failing: FlagsAdapter = { name: 'failing', evaluate: async () => { throw new Error('flags backend 500') } }
    const before = (await metrics().featureFlagEvaluations.get()).values.find((v) => v.labels.result === 'error')?.value ?? 0
    expect(await evaluateFlag('customer_history', context, failing)).toBe(DEFAULT)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[1]).toBe('feature_flag_fallback')
    const after = (await metrics().featureFlagEvaluations.get()).values.find((v) => v.labels.result === 'error')?.value
    expect(after).toBe(before + 1)
    warn.mockRestore()
  })

  it('answers with the default within the timeout when the backend hangs', async () => {
    const hanging: FlagsAdapter = { name: 'hanging', evaluate: () => new Promise(() => {}) }
    const started = performance.now()
    expect(await evaluateFlag('customer_history', context, hanging)).toBe(DEFAULT)
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(FLAG_TIMEOUT_MS - 5)
    expect(elapsed).toBeLessThan(FLAG_TIMEOUT_MS + 200)
  })
})
