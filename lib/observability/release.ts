// Which build this is and where it runs: stamped on log lines, shown on /status, and (with
// Sentry) the release and environment of error events. One definition for all of them.
export const SERVICE_NAME = process.env.OTEL_SERVICE_NAME || 'signalbox'
export const SERVICE_VERSION = process.env.VERCEL_GIT_COMMIT_SHA || process.env.GIT_COMMIT_SHA || 'dev'
export const SERVICE_ENV = process.env.VERCEL_ENV || process.env.NODE_ENV || 'development'
