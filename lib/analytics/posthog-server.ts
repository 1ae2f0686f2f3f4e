// The only server file that imports posthog-node.
import 'server-only'
import { PostHog } from 'posthog-node'
import type { AnalyticsAdapter, AnalyticsEvent } from './adapter'
import { ORGANIZATION_GROUP } from './events'

/** How long a flush may take after the response before we give up and log it. */
const FLUSH_TIMEOUT_MS = 3000

export function createPostHogClient(apiKey: string, host: string): PostHog {
  return new PostHog(apiKey, {
    host,
    requestTimeout: FLUSH_TIMEOUT_MS,
    fetchRetryCount: 1,
    // Flag checks must never hold a page up: lib/flags also races them against its own bound.
    featureFlagsRequestTimeoutMs: 300,
    disableGeoip: true,
  })
}

export class PostHogAnalytics implements AnalyticsAdapter {
  readonly name = 'posthog'
  constructor(private readonly client: PostHog) {}

  /**
   * Sends at once (called from after()), so a frozen serverless function loses nothing.
   * posthog-node reports a failed send on its 'error' event rather than by rejecting; it is
   * turned into a rejection here so the caller can log and count it.
   */
  async capture({ event, properties, distinctId }: AnalyticsEvent) {
    const failures: unknown[] = []
    const stopListening = this.client.on('error', (error: unknown) => failures.push(error))
    try {
      await this.send({ event, properties, distinctId })
    } finally {
      stopListening()
    }
    if (failures.length > 0) throw failures[0]
  }

  private async send({ event, properties, distinctId }: AnalyticsEvent) {
    await this.client.captureImmediate({
      distinctId: distinctId ?? properties.request_id ?? 'anonymous',
      event,
      properties: {
        ...properties,
        // Anonymous server events must not create person profiles ('identified_only').
        ...(distinctId ? {} : { $process_person_profile: false }),
      },
      ...(properties.org_id ? { groups: { [ORGANIZATION_GROUP]: properties.org_id } } : {}),
    })
  }
}
