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

/**
 * The most server events held at once, from track() until PostHog took them or they failed. A
 * PostHog that never answers holds each for about 9 s (two 3 s attempts, 3 s apart), so without a
 * cap what is held grows with traffic (scenario 3, docs/reliability.md). At 1,000 a busy server
 * keeps sending through a short outage, and the memory held stays about a megabyte.
 */
export const MAX_OWED_EVENTS = 1000

/** What rebuilds an event that was not sent (its catalog properties carry no personal data). */
export const eventFields = (event: AnalyticsEvent) => ({
  event: event.event,
  request_id: event.properties.request_id,
  distinct_id: event.distinctId ?? event.anonymousId,
  // Sent again, an anonymous event must stay anonymous (no person profile): both IDs are UUIDs.
  anonymous: event.distinctId === undefined,
  properties: event.properties,
})

/**
 * Registers `event` as owed now; returns the task that sends it (with `send`) and forgets it. With
 * MAX_OWED_EVENTS already held it is not taken: counted as dropped, logged as
 * `analytics_capture_dropped` with what rebuilds it, and undefined is returned.
 */
export function pendingSend(event: AnalyticsEvent, send: () => Promise<void>): (() => Promise<void>) | undefined {
  if (owedEvents.size() >= MAX_OWED_EVENTS) {
    metrics().analyticsEvents.inc({ result: 'dropped' })
    logger.warn({ ...eventFields(event), reason: 'too_many_held', held: MAX_OWED_EVENTS }, 'analytics_capture_dropped')
    return undefined
  }
  return owedEvents.owe(event, send)
}

/** Whether the shutdown already named `event` as abandoned (and counted it). */
export const sendGivenUp = (event: AnalyticsEvent) => owedEvents.givenUp(event)

/**
 * Waits for the owed events until `deadline` (epoch ms), then closes the PostHog client with the
 * time that is left. An event still owed at the deadline is logged as `analytics_capture_abandoned`
 * with what rebuilds it (its catalog properties carry no personal data) and counted as dropped.
 */
export async function drainAnalytics(deadline: number): Promise<{ abandoned: number }> {
  const left = await owedEvents.drain(deadline)
  for (const event of left) {
    metrics().analyticsEvents.inc({ result: 'dropped' })
    logger.error({ ...eventFields(event), reason: 'shutdown_deadline' }, 'analytics_capture_abandoned')
  }
  await shutdownAnalytics(Math.max(deadline - Date.now(), 1))
  return { abandoned: left.length }
}
