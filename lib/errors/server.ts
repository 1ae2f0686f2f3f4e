// Error tracking for server code, without the SDK: @sentry/nextjs (6-10 MiB of an idle server's
// memory, measured on 5 December, and a few hundred milliseconds of its start) is imported only when there is
// somewhere to send events: a DSN, Spotlight, or the local inspector under `next dev`. Until
// then, and without one, every function here is a no-op. The SDK adapter is ./sentry-server.
import 'server-only'
import type { Instrumentation } from 'next'
import { EnvError, parseEnv } from '../env'
import { INSPECTOR_ENABLED } from '../inspect'
import { perProcess } from '../singleton'
import type { ErrorContext, SentryTransport } from './sentry-server'
import { spotlightFrom } from './settings'

type Sdk = typeof import('./sentry-server')

// Next bundles this module into several chunks (instrumentation, each route): start-up loads the
// SDK in one of them, and the others must see it (lib/singleton.ts).
const loaded = () => perProcess<{ sdk?: Sdk }>('errorTrackingSdk', () => ({}))

/** Whether this server has anywhere to send error events (and so loads the SDK at start-up). */
export function errorTrackingWanted(): boolean {
  let config: ReturnType<typeof parseEnv>
  try {
    config = parseEnv()
  } catch (error) {
    if (error instanceof EnvError) return false // startNodeServer names the problem and stops the process
    throw error
  }
  return Boolean(
    config.NEXT_PUBLIC_SENTRY_DSN || spotlightFrom(config.SENTRY_SPOTLIGHT, process.env.NODE_ENV) || INSPECTOR_ENABLED,
  )
}

/**
 * Called once per server runtime, by sentry.server.config.ts and sentry.edge.config.ts, before
 * the server takes requests. `transport`: how events are sent when not the SDK's own way (the
 * Node server's, with a deadline: sentry-node-transport.ts).
 */
export async function startErrorTracking(options: { transport?: SentryTransport } = {}): Promise<void> {
  if (loaded().sdk || !errorTrackingWanted()) return
  const sdk = await import('./sentry-server')
  sdk.startSentry(options)
  loaded().sdk = sdk
}

/** instrumentation.ts `onRequestError`: every error Next catches, tagged with the request ID and digest. */
export function captureRequestError(...args: Parameters<Instrumentation.onRequestError>): void {
  loaded().sdk?.captureRequestError(...args)
}

/** Reports an error the code handled but someone should know about. Context is scrubbed like everything else. */
export function captureException(error: unknown, context?: ErrorContext): void {
  loaded().sdk?.captureException(error, context)
}

/** For when the server stops: true when every queued event went out within `timeoutMs` (or there were none to send). */
export async function flushErrorTracking(timeoutMs: number): Promise<boolean> {
  const { sdk } = loaded()
  return sdk ? sdk.flushErrorTracking(timeoutMs) : true
}

/** The signed-in user (IDs only) on this request's error events. */
export function setErrorTrackingUser(user: { userId: string; orgId?: string } | null): void {
  loaded().sdk?.setErrorTrackingUser(user)
}

/** Where OpenTelemetry sends Sentry its spans, when it owns tracing and a DSN is set. */
export function sentryOtlpTarget(): { url: string; headers: Record<string, string> } | undefined {
  return loaded().sdk?.sentryOtlpTarget()
}

/** Wraps a server action so a failure is an event named after it (see sentry-server.ts). */
export function withActionErrorTracking<Args extends unknown[], Result>(
  name: string,
  action: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return (...args: Args) => {
    const { sdk } = loaded()
    return sdk ? sdk.withActionErrorTracking(name, action)(...args) : action(...args)
  }
}
