// The only app file that imports posthog-node (its types too), and the owner of the server's one
// PostHog client, which analytics and flags share. Imported only when a key is set (posthog.ts).
import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { PostHog } from 'posthog-node'
import { env } from '../env'
import { recordDependencyState } from '../metrics'
import { perProcess } from '../singleton'
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

const shared = () => perProcess<{ client?: PostHog; closing?: Promise<void> }>('posthog', () => ({}))

/** The server's one PostHog client, for analytics and flags alike, created on first use. */
export function postHogClient(): PostHog {
  const { NEXT_PUBLIC_POSTHOG_KEY: key, POSTHOG_HOST: host } = env()
  if (!key) throw new Error('PostHog is not configured: NEXT_PUBLIC_POSTHOG_KEY is unset')
  return (shared().client ??= createPostHogClient(key, host))
}

/**
 * posthog-node's shutdown(timeoutMs) on the shared client: waits for the sends it has started
 * and flushes its queue, giving up after `timeoutMs`. A call while one is under way joins it
 * (posthog-node warns about overlapping shutdowns); with no client yet there is nothing to do.
 * The client stays usable afterwards, as posthog-node allows: a straggling event is still sent.
 */
export function shutdownPostHogClient(timeoutMs: number): Promise<void> {
  const state = shared()
  const client = state.client
  if (!client) return Promise.resolve()
  return (state.closing ??= client.shutdown(timeoutMs).finally(() => (state.closing = undefined)))
}

const reportedErrors = new AsyncLocalStorage<unknown[]>()
const listening = new WeakSet<PostHog>()

/**
 * Runs `work` and returns the errors posthog-node reported while doing it. The SDK does not
 * reject on a failed send or flags request: it emits 'error' and carries on with a fallback.
 * It emits synchronously inside the failing call, so an AsyncLocalStorage tells which call
 * failed even when requests overlap on one shared client.
 */
export async function withReportedErrors<T>(
  client: PostHog,
  work: () => Promise<T>,
): Promise<{ result: T; errors: unknown[] }> {
  if (!listening.has(client)) {
    client.on('error', (error: unknown) => reportedErrors.getStore()?.push(error))
    listening.add(client)
  }
  const errors: unknown[] = []
  try {
    const result = await reportedErrors.run(errors, work)
    // Every request this server makes to PostHog (events and flags) comes through here.
    recordDependencyState('posthog', errors.length === 0 ? 'up' : 'down')
    return { result, errors }
  } catch (error) {
    recordDependencyState('posthog', 'down')
    throw error
  }
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

/**
 * One /flags request for `flags`: their values, leaving out those PostHog does not know.
 * posthog-node answers a failed or timed-out request with an empty snapshot (indistinguishable
 * from "PostHog knows none of these flags") and reports the failure on its 'error' event; that
 * report is turned back into a rejection here, so lib/flags can tell a broken backend from
 * missing flags.
 */
export async function evaluatePostHogFlags(
  client: PostHog,
  flags: readonly string[],
  { distinctId, orgId }: { distinctId: string; orgId?: string },
): Promise<Record<string, boolean>> {
  const { result: snapshot, errors } = await withReportedErrors(client, () =>
    client.evaluateFlags(distinctId, {
      flagKeys: [...flags],
      ...(orgId ? { groups: { [ORGANIZATION_GROUP]: orgId } } : {}),
    }),
  )
  const [error] = errors
  if (error !== undefined) throw error
  const values: Record<string, boolean> = {}
  for (const flag of flags) {
    // Flags only pick what to render here; no experiment exposure is recorded.
    const value = snapshot.getFlag(flag, { sendFeatureFlagEvents: false })
    if (value !== undefined) values[flag] = value !== false
  }
  return values
}
