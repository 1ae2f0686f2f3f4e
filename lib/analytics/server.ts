// track() for server actions and route handlers. The same event and properties as the client's
// track() in lib/analytics/client.ts, plus who did it (distinctId); the event is sent after the response (after()), tagged with the
// request ID, and a failing backend is logged and counted, never thrown.
import 'server-only'
import { randomUUID } from 'node:crypto'
import { after } from 'next/server'
import { INSPECTOR_ENABLED, recordForInspector } from '../inspect'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { currentRequestContext, getRequestId, noteAnalyticsEventTracked } from '../request'
import { perProcess } from '../singleton'
import type { AnalyticsAdapter, AnalyticsEvent } from './adapter'
import { ConsoleAnalytics } from './console-adapter'
import type { EventName, EventProps } from './events'
import { eventFields, pendingSend, sendGivenUp } from './pending-sends'
import { loadPostHog } from './posthog'

export type { EventName, EventProps } from './events'

async function createAdapter(): Promise<AnalyticsAdapter> {
  const posthog = await loadPostHog()
  return posthog ? new posthog.PostHogAnalytics(posthog.postHogClient()) : new ConsoleAnalytics()
}

function adapter(): Promise<AnalyticsAdapter> {
  return perProcess('analytics', createAdapter)
}

async function send(event: AnalyticsEvent): Promise<void> {
  try {
    await (await adapter()).capture(event)
    metrics().analyticsEvents.inc({ result: 'ok' })
  } catch (error) {
    // Failing after the shutdown gave up on it: already logged and counted as abandoned, and
    // replaying both lines would send it twice.
    if (sendGivenUp(event)) return
    metrics().analyticsEvents.inc({ result: 'error' })
    // With what rebuilds it, as when one is dropped or abandoned: a failed event can be sent again.
    logger.warn({ err: error, ...eventFields(event) }, 'analytics_capture_failed')
  }
}

/**
 * Records `event` for the current user (or anonymously). Never awaits the backend: inside a
 * request the send is scheduled with after(); elsewhere (scripts) it runs in the background.
 */
export async function track<E extends EventName>(
  event: E,
  properties: EventProps<E>,
  options: { distinctId?: string } = {},
): Promise<void> {
  const requestId = await getRequestId()
  const context = currentRequestContext()
  const distinctId = options.distinctId ?? context?.userId
  const captured: AnalyticsEvent = {
    event,
    properties: { ...properties, ...(requestId ? { request_id: requestId } : {}) },
    distinctId,
    // One generated ID for all anonymous events of a request, never the (client-choosable) request ID.
    ...(distinctId ? {} : { anonymousId: context ? (context.anonymousId ??= randomUUID()) : randomUUID() }),
  }
  const sendOnce = pendingSend(captured, () => send(captured)) // a shutdown waits for it, or names it
  if (!sendOnce) return // too many already held: counted and logged
  noteAnalyticsEventTracked() // the request's access line says how many events it sent
  if (INSPECTOR_ENABLED) recordForInspector(requestId, 'analytics', { surface: 'server', ...captured })
  try {
    after(sendOnce)
  } catch {
    void sendOnce() // outside a request scope
  }
}
