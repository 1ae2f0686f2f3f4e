// The one interface every server-side analytics backend implements.
import type { EventName, EventProps } from './events'

export type AnalyticsEvent<E extends EventName = EventName> = {
  event: E
  properties: EventProps<E> & { request_id?: string }
  /** The user, when known; anonymous server events carry the request ID instead. */
  distinctId: string | undefined
}

export interface AnalyticsAdapter {
  readonly name: string
  /** Sends (or records) one event. May reject; callers log and count, never rethrow. */
  capture(event: AnalyticsEvent): Promise<void>
}

/** For tests: keeps every event in memory. */
export class MemoryAnalytics implements AnalyticsAdapter {
  readonly name = 'memory'
  readonly events: AnalyticsEvent[] = []
  async capture(event: AnalyticsEvent) {
    this.events.push(event)
  }
}
