// docs/analytics.md is the catalog people read: it must list every event and flag the code has.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { EVENT_FEATURES } from '@/lib/analytics/events'
import { FLAGS } from '@/lib/flags/registry'

describe('docs/analytics.md', () => {
  it('lists every event with its feature, and every flag with its default', async () => {
    const doc = await readFile('docs/analytics.md', 'utf8')
    for (const [event, feature] of Object.entries(EVENT_FEATURES)) {
      expect(doc).toMatch(new RegExp(`\\| \`${event}\` \\| \`${feature}\` \\|`))
    }
    for (const [flag, spec] of Object.entries(FLAGS)) {
      expect(doc).toContain(`| \`${flag}\` | \`${spec.default}\` |`)
    }
  })
})
