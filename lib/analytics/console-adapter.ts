import type { AnalyticsAdapter, AnalyticsEvent } from './adapter'
import { EVENT_FEATURES } from './events'
import { logger } from '../logs'

/**
 * The default without a PostHog key: one debug line per event, nothing leaves the process.
 * Performance events (`web_vital`: five a page load) are at trace, so development's default
 * level shows what people did, not a stream of measurements; Prometheus and the inspector have them.
 */
export class ConsoleAnalytics implements AnalyticsAdapter {
  readonly name = 'console'
  async capture({ event, properties, distinctId }: AnalyticsEvent) {
    const level = EVENT_FEATURES[event] === 'performance' ? 'trace' : 'debug'
    logger[level]({ event, properties, distinct_id: distinctId }, 'analytics_event')
  }
}
