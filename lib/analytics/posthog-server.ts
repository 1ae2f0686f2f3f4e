// The only server file that imports posthog-node.
import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
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
    // Flag checks must never hold a page up: lib/flags also races them against its own bound,
    // and a retry could not fit inside it.
    featureFlagsRequestTimeoutMs: 300,
    featureFlagsRequestMaxRetries: 0,
    disableGeoip: true,
  })
}

const reportedErrors = new AsyncLocalStorage<unknown[]>()
const listening = new WeakSet<PostHog>()

/**
 * Runs `work` and returns the errors posthog-node reported while doing it. The SDK does not
 * reject on a failed send or flags request: it emits 'error' and carries on with a fallback.
 * It emits synchronously inside the failing call, so an AsyncLocalStorage tells which call
 * failed even when requests overlap on one shared client.
 */
export async function withReportedErrors<T>(client: PostHog, work: () => Promise<T>): Promise<{ result: T; errors: unknown[] }> {
  if (!listening.has(client)) {
    client.on('error', (error: unknown) => reportedErrors.getStore()?.push(error))
    listening.add(client)
  }
  const errors: unknown[] = []
  const result = await reportedErrors.run(errors, work)
  return { result, errors }
}

/** Whether posthog-node gave up on a request because it took longer than its timeout. */
export function isPostHogTimeout(error: unknown): boolean {
  const cause = (error as { error?: unknown; cause?: unknown } | null)?.error ?? (error as { cause?: unknown } | null)?.cause
  return (cause as { name?: unknown } | undefined)?.name === 'AbortError' || (error as { name?: unknown } | null)?.name === 'AbortError'
}

export class PostHogAnalytics implements AnalyticsAdapter {
  readonly name = 'posthog'
  constructor(private readonly client: PostHog) {}

  /**
   * Sends at once (called from after()), so a frozen serverless function loses nothing. A send
   * posthog-node reports as failed becomes a rejection, for the caller to log and count.
   */
  async capture({ event, properties, distinctId, anonymousId }: AnalyticsEvent) {
    const { errors } = await withReportedErrors(this.client, () =>
      this.client.captureImmediate({
        distinctId: distinctId ?? anonymousId ?? randomUUID(),
        event,
        properties: {
          ...properties,
          // Anonymous server events must not create person profiles ('identified_only').
          ...(distinctId ? {} : { $process_person_profile: false }),
        },
        ...(properties.org_id ? { groups: { [ORGANIZATION_GROUP]: properties.org_id } } : {}),
      }),
    )
    if (errors.length > 0) throw errors[0]
  }
}
