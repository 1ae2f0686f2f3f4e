// Type-level tests: `npm run typecheck` fails if a @ts-expect-error line below stops being an
// error, i.e. if an event without `feature` or `surface` (or a wrong one) ever type-checks.
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
  const props: EventProps<'customers_drawer_opened'> = { feature: 'customers', surface: 'customers_drawer', mode: 'create' }
  return props
}

// The client and the server take exactly the same arguments.
type SameParameters = Parameters<typeof clientTrack<'signed_in'>> extends Parameters<Track> ? true : false
const sameParameters: SameParameters = true

describe('event catalog', () => {
  it('maps every event to its feature', () => {
    expect(typeChecks().feature).toBe('customers')
    expect(sameParameters).toBe(true)
    expect(EVENT_FEATURES.customer_created).toBe('customers')
    expect(EVENT_FEATURES.signed_up).toBe('auth')
  })
})
