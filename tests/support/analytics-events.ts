// What server-side track() sends, for a test to read. Without a PostHog key, track() hands each
// event to ConsoleAnalytics (lib/analytics/console-adapter.ts); this records every event it
// receives and lets it carry on as usual. Nothing in lib/ exists for tests to swap the backend.
import { vi } from 'vitest'
import type { AnalyticsEvent } from '@/lib/analytics/adapter'
import { ConsoleAnalytics } from '@/lib/analytics/console-adapter'

// Taken before any spy replaces it, so a second recording does not call the first one's spy.
const consoleCapture = ConsoleAnalytics.prototype.capture

/** From now on, every server event track() sends is pushed onto the returned list (a new list per call). */
export function recordAnalyticsEvents(): AnalyticsEvent[] {
  if (process.env.NEXT_PUBLIC_POSTHOG_KEY?.trim()) {
    throw new Error(
      'NEXT_PUBLIC_POSTHOG_KEY is set: server events would go to PostHog, not ConsoleAnalytics. Unset it for the tests.',
    )
  }
  const events: AnalyticsEvent[] = []
  vi.spyOn(ConsoleAnalytics.prototype, 'capture').mockImplementation(function (this: ConsoleAnalytics, event) {
    events.push(event)
    return consoleCapture.call(this, event)
  })
  return events
}
