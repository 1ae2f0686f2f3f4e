// The server events promised but not yet handed to PostHog: track() schedules each with after(),
// and closing the PostHog client only waits for the sends it has already started. When the
// server stops, the shutdown first waits for these, then closes the client, and names every
// event it had to give up on.
import 'server-only'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { owedWork } from '../owed-work'
import type { AnalyticsEvent } from './adapter'
import { shutdownAnalytics } from './posthog'

const owedEvents = owedWork<AnalyticsEvent>('analyticsOwedSends')

/** Registers `event` as owed now; returns the task that sends it (with `send`) and forgets it. */
export const pendingSend = (event: AnalyticsEvent, send: () => Promise<void>) => owedEvents.owe(event, send)

/**
 * Waits for the owed events until `deadline` (epoch ms), then closes the PostHog client with the
 * time that is left. An event still owed at the deadline is logged as `analytics_capture_abandoned`
 * with what rebuilds it (its catalog properties carry no personal data) and counted as dropped.
 */
export async function drainAnalytics(deadline: number): Promise<{ abandoned: number }> {
  const left = await owedEvents.drain(deadline)
  for (const event of left) {
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
