// What every Sentry runtime (browser, Node server, edge) shares: the tunnel's path, how the
// environment, release and sample rate are resolved, and what the SDK may collect. Pure and
// isomorphic: no SDK at run time, so the browser can import it without loading Sentry.
import { LOGGED_HEADERS } from '../privacy'
import { commitSha, deploymentEnvironment, type EnvSource } from '../release'

/** Where the browser sends envelopes: same origin, forwarded by app/monitoring/route.ts. */
export const TUNNEL_PATH = '/monitoring'

/** The tunnel refuses bodies above this (413): an envelope is events, not uploads. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024

export const DEFAULT_TRACES_SAMPLE_RATE = 0.1

/** `SENTRY_ENVIRONMENT`, else Vercel's environment, else `NODE_ENV`. */
export function sentryEnvironment(source: EnvSource): string {
  return source.SENTRY_ENVIRONMENT?.trim() || deploymentEnvironment(source)
}

/** The commit SHA when the platform or the build tells us; undefined leaves it to the SDK. */
export function sentryRelease(source: EnvSource): string | undefined {
  return commitSha(source)
}

/** `SENTRY_TRACES_SAMPLE_RATE` when it is a number in [0, 1], else 0.1. */
export function tracesSampleRate(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TRACES_SAMPLE_RATE
  const rate = Number(value)
  return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : DEFAULT_TRACES_SAMPLE_RATE
}

/**
 * The SDK's tracing option for a sample rate. 0 means errors only, which `tracesSampleRate: 0`
 * is not: the SDK would still make a span for every request (CPU time, measured in
 * docs/performance.md), report each dropped one in a client_report envelope, and tell every
 * service downstream `sampled=false`. Tracing is off only when the option is nullish, and left
 * undefined the server SDK reads it from process.env.SENTRY_TRACES_SAMPLE_RATE (our variable
 * too: 0 again), so errors-only passes null, which the SDK keeps and treats as off.
 */
export function tracingOptions(rate: number): { tracesSampleRate?: number } {
  return { tracesSampleRate: rate > 0 ? rate : (null as unknown as undefined) }
}

/** Spotlight (a local event viewer) only in development, only when asked for. */
export function spotlightFrom(value: string | undefined, nodeEnv: string | undefined): boolean | string {
  if (nodeEnv !== 'development' || !value) return false
  if (value === '1' || value === 'true') return true
  return /^https?:\/\//.test(value) ? value : false
}

/**
 * What the SDK may collect in the first place (v11's replacement for `sendDefaultPii`):
 * no automatic user fields, cookies, bodies, local variables or AI/DB payloads; only the
 * request headers the logger also keeps. beforeSend scrubs again in case anything slips in.
 */
export function dataCollection() {
  return {
    userInfo: false,
    cookies: false,
    httpHeaders: { request: { allow: [...LOGGED_HEADERS] as string[] }, response: false },
    httpBodies: [] as never[],
    urlQueryParams: { allow: [] as string[] },
    graphQL: { document: false, variables: false },
    genAI: { inputs: false, outputs: false },
    databaseQueryData: false,
    queues: false,
    stackFrameVariables: false,
  }
}
