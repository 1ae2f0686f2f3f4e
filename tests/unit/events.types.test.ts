// Type-level tests: `npm run typecheck` fails if a @ts-expect-error line below stops being an
// error, i.e. if an event without `feature` or `surface` (or a wrong one) ever type-checks.
// At run time: the catalog's feature for each event is the one the product's track() calls use,
// and no event of the catalog (and of docs/analytics.md) is left that nothing tracks.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EventProps } from '@/lib/analytics/events'
import { EVENT_FEATURES } from '@/lib/analytics/events'
import type { track as serverTrack } from '@/lib/analytics'
import type { track as clientTrack } from '@/lib/analytics/client'

type Track = typeof serverTrack
// Only the types matter here; calling it does nothing.
const track = (async () => {}) as unknown as Track

function typeChecks() {
  void track('customer_created', { feature: 'customers', surface: 'customers_drawer', source: 'manual', org_id: 'o1' })
  // @ts-expect-error — `feature` is required
  void track('customer_created', { surface: 'customers_drawer', source: 'manual' })
  // @ts-expect-error — `surface` is required
  void track('customer_created', { feature: 'customers', source: 'manual' })
  // @ts-expect-error — a customers event cannot claim the auth feature
  void track('customer_deleted', { feature: 'auth', surface: 'customers_list' })
  // @ts-expect-error — unknown events are not in the catalog
  void track('customer_exploded', { feature: 'customers', surface: 'api' })
  // @ts-expect-error — `source` is one of manual | api
  void track('customer_created', { feature: 'customers', surface: 'api', source: 'csv' })
  const props: EventProps<'customers_drawer_opened'> = {
    feature: 'customers',
    surface: 'customers_drawer',
    mode: 'create',
  }
  return props
}

// The client and the server take exactly the same arguments.
type SameParameters = Parameters<typeof clientTrack<'signed_in'>> extends Parameters<Track> ? true : false
const sameParameters: SameParameters = true

/** Every `track('event', { feature: '…'` call in the product's code, as [event, feature]. */
function trackCalls(): Array<[string, string]> {
  const calls: Array<[string, string]> = []
  for (const dir of ['app', 'components', 'lib']) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.tsx?$/.test(name))) {
      // Without comments: a call commented out tracks nothing.
      const text = readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '')
      for (const [, event, feature] of text.matchAll(/\btrack\(\s*'(\w+)',\s*\{\s*feature:\s*'(\w+)'/g))
        calls.push([event!, feature!])
    }
  }
  return calls
}

describe('event catalog', () => {
  it('maps every event to its feature', () => {
    const calls = trackCalls()
    for (const [event, feature] of calls)
      expect(feature, event).toBe(EVENT_FEATURES[event as keyof typeof EVENT_FEATURES])
    expect([...new Set(calls.map(([event]) => event))].sort()).toEqual(Object.keys(EVENT_FEATURES).sort())
  })
})

// Checked by tsc only, never called.
void typeChecks
void sameParameters
