import type { AnalyticsAdapter, AnalyticsEvent } from './adapter'
import { logger } from '../logs'

/** The default without a PostHog key: one debug line per event, nothing leaves the process. */
export class ConsoleAnalytics implements AnalyticsAdapter {
  readonly name = 'console'
  async capture({ event, properties, distinctId }: AnalyticsEvent) {
    logger.debug({ event, properties, distinct_id: distinctId }, 'analytics_event')
  }
}
