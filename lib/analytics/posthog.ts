// PostHog for the rest of the server: track()'s backend, flag answers for lib/flags, shutdown.
// All of it goes through posthog-server.ts, which is imported only when a key is set: without
// one, posthog-node is never loaded.
import 'server-only'
import { env } from '../env'
import { logger } from '../logs'

/** As long as one send may take (posthog-server.ts's requestTimeout): a send in flight gets its chance. */
export const ANALYTICS_SHUTDOWN_TIMEOUT_MS = 3000

/** posthog-server.ts when a PostHog key is set; undefined without one. */
export async function loadPostHog(): Promise<typeof import('./posthog-server') | undefined> {
  return env().NEXT_PUBLIC_POSTHOG_KEY ? import('./posthog-server') : undefined
}

/**
 * PostHog's answers for `flags` for this user (and organization), from one request on the
 * server's one PostHog client: a flag PostHog does not know is left out; no key, no answers.
 * Rejects when the request failed; isPostHogTimeout() tells a timeout from other failures.
 */
export async function postHogFlags(
  flags: readonly string[],
  context: { distinctId: string; orgId?: string },
): Promise<Record<string, boolean>> {
  const posthog = await loadPostHog()
  return posthog ? posthog.evaluatePostHogFlags(posthog.postHogClient(), flags, context) : {}
}

/** Whether posthog-node gave up on a request because it took longer than its timeout. */
export function isPostHogTimeout(error: unknown): boolean {
  const cause =
    (error as { error?: unknown; cause?: unknown } | null)?.error ?? (error as { cause?: unknown } | null)?.cause
  return (
    (cause as { name?: unknown } | undefined)?.name === 'AbortError' ||
    (error as { name?: unknown } | null)?.name === 'AbortError'
  )
}

/**
 * For when the server stops: waits for the events the server's PostHog client is sending, then
 * closes it, giving up on PostHog after `timeoutMs`. Safe to call twice, and without a key or
 * before any client exists (it then closes nothing; with a key, posthog-server.ts is loaded to
 * find that out). Never rejects: a failure is logged.
 */
export async function shutdownAnalytics(timeoutMs = ANALYTICS_SHUTDOWN_TIMEOUT_MS): Promise<void> {
  try {
    await (await loadPostHog())?.shutdownPostHogClient(timeoutMs)
  } catch (error) {
    logger.warn({ err: error }, 'analytics_shutdown_failed')
  }
}
