// The server events promised but not yet handed to PostHog: track() schedules each with after(),
// and closing the PostHog client only waits for the sends it has already started. When the
// server stops, the shutdown first waits for these, then closes the client, and names every
// event it had to give up on.
import 'server-only'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { perProcess } from '../singleton'
import type { AnalyticsEvent } from './adapter'
import { shutdownAnalytics } from './posthog'

// One list per process: the routes that track and the shutdown are bundled into different chunks.
const pending = () => perProcess('analyticsPendingSends', () => new Set<AnalyticsEvent>())
const abandoned = () => perProcess('analyticsAbandonedSends', () => new WeakSet<AnalyticsEvent>())

/** Registers `event` as owed now; returns the task that sends it (with `send`) and forgets it. */
export function pendingSend(event: AnalyticsEvent, send: () => Promise<void>): () => Promise<void> {
  pending().add(event)
  return async () => {
    if (abandoned().has(event)) return
    try {
      await send()
    } finally {
      pending().delete(event)
    }
  }
}

/**
 * Waits for the owed events until `deadline` (epoch ms), then closes the PostHog client with the
 * time that is left. An event still owed at the deadline is logged as `analytics_capture_abandoned`
 * with what rebuilds it (its catalog properties carry no personal data) and counted as dropped.
 */
export async function drainAnalytics(deadline: number): Promise<{ abandoned: number }> {
  while (pending().size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  const left = [...pending()]
  for (const event of left) {
    abandoned().add(event)
    pending().delete(event)
    metrics().analyticsEvents.inc({ result: 'dropped' })
    logger.error(
      {
        event: event.event,
        request_id: event.properties.request_id,
        distinct_id: event.distinctId ?? event.anonymousId,
        properties: event.properties,
        reason: 'shutdown_deadline',
      },
      'analytics_capture_abandoned',
    )
  }
  await shutdownAnalytics(Math.max(deadline - Date.now(), 1))
  return { abandoned: left.length }
}
