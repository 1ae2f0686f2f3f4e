// The README's promise about a bad FEATURE_FLAGS: an entry naming no flag, or a value other than
// true/false, is skipped with a `feature_flags_ignored` warning when flags are first read, and
// that flag keeps its default (a typo costs one flag, not the site). Its own file: the flags
// backend is chosen once per process, from the FEATURE_FLAGS it sees first.
import { describe, expect, it, vi } from 'vitest'
import { isEnabled } from '@/lib/flags'
import { FLAGS } from '@/lib/flags/registry'
import { logger } from '@/lib/logs/logger'

vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', '')
vi.stubEnv('FEATURE_FLAGS', 'nope=true,customer_history=maybe')

describe('FEATURE_FLAGS with mistakes', () => {
  it('warns once per bad entry when flags are first read, and keeps the default', async () => {
    const warn = vi.spyOn(logger, 'warn')
    const context = { distinctId: 'user-1', orgId: 'org-1' }
    expect(await isEnabled('customer_history', context)).toBe(FLAGS.customer_history.default)
    expect(await isEnabled('customer_history', context)).toBe(FLAGS.customer_history.default)
    const ignored = warn.mock.calls.filter(([, msg]) => msg === 'feature_flags_ignored')
    expect(ignored.map(([fields]) => fields)).toEqual([
      { problem: 'unknown flag "nope"' },
      { problem: '"customer_history" must be true or false, not "maybe"' },
    ])
    warn.mockRestore()
  })
})
