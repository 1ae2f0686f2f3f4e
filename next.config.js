// @ts-check
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is CommonJS
const { withSentryConfig } = require('@sentry/nextjs/config')

// A build somewhere other than .next (the e2e tests build a second copy with a Sentry DSN
// inlined, next to the default build). `next start` must see the same value.
const distDir = process.env.NEXT_DIST_DIR?.trim() || undefined
// Source maps go to Sentry only with a token; without one the build makes no network request.
const uploadSourceMaps = Boolean(process.env.SENTRY_AUTH_TOKEN?.trim())
const commitSha = process.env.VERCEL_GIT_COMMIT_SHA?.trim() || process.env.GIT_COMMIT_SHA?.trim() || undefined

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  ...(distDir
    ? {
        distDir,
        // Next rewrites tsconfig.json to include <distDir>/types; a config that `extends` is left alone.
        typescript: { tsconfigPath: 'tsconfig.custom-dist.json' },
      }
    : {}),
  // Packages that must stay as plain Node requires instead of being bundled: pino's worker
  // threads break under Turbopack bundling, and PGlite loads its WASM and data files from disk.
  serverExternalPackages: ['pino', 'pino-pretty', '@electric-sql/pglite'],
  // Build-time Sentry settings for the browser bundle (NEXT_PUBLIC_SENTRY_DSN is inlined by
  // Next itself). Server code reads the variables at run time instead.
  env: {
    _signalboxSentryEnvironment: process.env.SENTRY_ENVIRONMENT?.trim() || process.env.VERCEL_ENV?.trim() || '',
    _signalboxSentryTracesSampleRate: process.env.SENTRY_TRACES_SAMPLE_RATE?.trim() || '',
    _signalboxSentrySpotlight: process.env.SENTRY_SPOTLIGHT?.trim() || '',
  },
}

module.exports = withSentryConfig(nextConfig, {
  org: process.env.SENTRY_ORG,
  project: process.env.SENTRY_PROJECT,
  authToken: process.env.SENTRY_AUTH_TOKEN,
  silent: !uploadSourceMaps,
  // The build plugin reports its own usage to sentry.io unless told not to.
  telemetry: false,
  // The release is the commit: events name it (it is injected as _sentryRelease), and the
  // upload creates it in Sentry.
  release: { name: commitSha, create: uploadSourceMaps, finalize: uploadSourceMaps },
  sourcemaps: uploadSourceMaps ? { deleteSourcemapsAfterUpload: true } : { disable: true },
  useRunAfterProductionCompileHook: uploadSourceMaps,
  // A failed upload is worth a warning, not a failed deploy.
  errorHandler: (error) => console.warn(`[sentry] source map upload failed: ${error.message}`),
  // Without a DSN the browser gets nothing from Sentry, not even the route list.
  routeManifestInjection: process.env.NEXT_PUBLIC_SENTRY_DSN?.trim() ? undefined : false,
  // No `tunnelRoute`: it only works for sentry.io DSNs. The browser's tunnel is
  // app/monitoring/route.ts, which forwards to any DSN's host (self-hosted, GlitchTip).
})
