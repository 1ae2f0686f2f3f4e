// Which build this is and where it runs: stamped on log lines and spans, shown on /status, and
// (with Sentry) the release and environment of error events. One definition for all of them;
// next.config.js repeats the commit rule for the browser bundle, which it builds before any TS runs.

export type EnvSource = Record<string, string | undefined>

/** The commit SHA when the platform (Vercel) or the build (GIT_COMMIT_SHA) tells us. */
export function commitSha(source: EnvSource): string | undefined {
  return source.VERCEL_GIT_COMMIT_SHA?.trim() || source.GIT_COMMIT_SHA?.trim() || undefined
}

/** Vercel's environment (production, preview, development), else NODE_ENV. */
export function deploymentEnvironment(source: EnvSource): string {
  return source.VERCEL_ENV?.trim() || source.NODE_ENV?.trim() || 'development'
}

export const SERVICE_NAME = process.env.OTEL_SERVICE_NAME || 'signalbox'
export const SERVICE_VERSION = commitSha(process.env) ?? 'dev'
export const SERVICE_ENV = deploymentEnvironment(process.env)
