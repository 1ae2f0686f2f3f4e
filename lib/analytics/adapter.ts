// The one interface every server-side analytics backend implements.
import type { EventName, EventProps } from './events'

export type AnalyticsEvent<E extends EventName = EventName> = {
  event: E
  properties: EventProps<E> & { request_id?: string }
  /** The user, when known. */
  distinctId: string | undefined
  /**
   * For an anonymous event: an ID this server generated for its request. Never the request ID,
   * which a client may choose (it is propagated as sent) and so must not become an identity.
   */
  anonymousId?: string
}

export interface AnalyticsAdapter {
  readonly name: string
  /** Sends (or records) one event. May reject; callers log and count, never rethrow. */
  capture(event: AnalyticsEvent): Promise<void>
}
