// What a DSN costs the first paint: the SDK and Replay arrive with import() after the page is
// interactive (instrumentation-client.ts, lib/errors/client.ts), so what each page loads first
// may grow only by what triggers them. Compares the spec's DSN build with the default one.
import { test } from '@playwright/test'
import { DEFAULT_DIST_DIR, expectFirstLoadGrowthWithin, firstLoadJs } from '../support/first-load'
import { SENTRY_DIST_DIR } from '../support/sentry'

/** What a DSN may add to a page's first-load JS, gzipped: the trigger, not the SDK (62.7 kB). */
const FIRST_LOAD_BUDGET_BYTES = 1024

export function firstLoadTests(): void {
  test('each page’s first-load JavaScript grows by at most 1 KB gzipped with a DSN', () => {
    expectFirstLoadGrowthWithin(
      { name: 'Sentry', routes: firstLoadJs(SENTRY_DIST_DIR) },
      firstLoadJs(DEFAULT_DIST_DIR),
      FIRST_LOAD_BUDGET_BYTES,
    )
  })
}
