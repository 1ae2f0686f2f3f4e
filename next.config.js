// @ts-check
// eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is CommonJS
const { PHASE_PRODUCTION_SERVER } = require('next/constants')

// A build somewhere other than .next (the e2e tests build a second copy with a Sentry DSN
// inlined, next to the default build). `next start` must see the same value.
const distDir = process.env.NEXT_DIST_DIR?.trim() || undefined
// Source maps go to Sentry only with a token; without one the build makes no network request.
const uploadSourceMaps = Boolean(process.env.SENTRY_AUTH_TOKEN?.trim())
const commitSha = process.env.VERCEL_GIT_COMMIT_SHA?.trim() || process.env.GIT_COMMIT_SHA?.trim() || undefined

// PostHog is reached through /ingest on our own origin (app/ingest: a route handler, not a
// rewrite, so the browser's cookies are not forwarded). The API host is read here only for the
// toolbar's links back to PostHog's UI.
const posthogHost = process.env.POSTHOG_HOST?.trim() || 'https://us.i.posthog.com'

// Security headers that are the same for every response, static assets and the telemetry
// forwarders included. The Content-Security-Policy needs a nonce per request, so the proxy
// sends it (lib/security); docs/security.md says why each value is what it is.
const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  // Powerful features nobody here uses, off for the app and anything it embeds.
  {
    key: 'Permissions-Policy',
    value:
      'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=(), browsing-topics=()',
  },
  // frame-ancestors 'none' for browsers that predate it.
  { key: 'X-Frame-Options', value: 'DENY' },
  // Production builds only: `next dev` on http://localhost must not pin a host to HTTPS.
  // Two years, subdomains too; add `preload` only once every subdomain serves HTTPS.
  ...(process.env.NODE_ENV === 'production'
    ? [{ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' }]
    : []),
]

// Development-only routes (the local inspector, /dev/inspect) are `page.dev.tsx` / `route.dev.ts`:
// `next dev` serves them, a production build never sees them, so they are neither routes nor
// bundled there (a 404 like any unknown path).
const developmentOnlyRoutes = process.env.NODE_ENV === 'development' ? ['dev.tsx', 'dev.ts'] : []

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  pageExtensions: [...developmentOnlyRoutes, 'tsx', 'ts', 'jsx', 'js'],
  // `next dev` serves its own resources (chunks, HMR) only to pages from localhost or the host it
  // was started with (-H). Opened at http://127.0.0.1:3000 instead, it refused them and the page
  // never came alive (the "New customer" button did nothing). Both loopback names are this machine.
  allowedDevOrigins: ['127.0.0.1'],
  // `next dev` prints every server action call with its arguments and result, and every request
  // with its raw URL, outside our redacting logger: the forms' state carries what was typed
  // (emails, names), and a URL its query (an OAuth callback's code, a search). Our own access
  // and action lines, redacted, say the same once.
  logging: { serverFunctions: false, incomingRequests: false },
  ...(distDir
    ? {
        distDir,
        // Next rewrites tsconfig.json to include <distDir>/types; a config that `extends` is left alone.
        typescript: { tsconfigPath: 'tsconfig.custom-dist.json' },
      }
    : {}),
  // Packages that must stay plain Node requires instead of being bundled: pino's worker
  // threads break under Turbopack bundling, PGlite loads its WASM and data files from disk,
  // prom-client keeps process-wide state, and the OpenTelemetry SDK hooks Node's modules and
  // must be one instance per process.
  serverExternalPackages: [
    'pino',
    'pino-pretty',
    '@electric-sql/pglite',
    'prom-client',
    '@opentelemetry/sdk-trace-node',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
  ],
  // PostHog's API paths end in a slash (/ingest/e/); redirecting them would break ingestion.
  skipTrailingSlashRedirect: true,
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }]
  },
  // Build-time values for the browser bundle (NEXT_PUBLIC_* keys are inlined by Next itself).
  // Server code reads the variables at run time instead.
  env: {
    // Links from PostHog's toolbar back to its UI; derived, not configured.
    NEXT_PUBLIC_POSTHOG_UI_HOST: posthogHost.includes('eu.') ? 'https://eu.posthog.com' : 'https://us.posthog.com',
    _signalboxSentryEnvironment: process.env.SENTRY_ENVIRONMENT?.trim() || process.env.VERCEL_ENV?.trim() || '',
    _signalboxSentryTracesSampleRate: process.env.SENTRY_TRACES_SAMPLE_RATE?.trim() || '',
    _signalboxSentrySpotlight: process.env.SENTRY_SPOTLIGHT?.trim() || '',
  },
}

// Sentry's wrapper only changes how the app is built (its bundler plugin, source maps, the
// packages it keeps external). `next start` reads this file too, and requiring the wrapper there
// loaded @sentry/nextjs's build tooling (its JavaScript parser among it) into every production
// server: about 3 MiB of source, and the memory to compile it, for nothing. The server gets the
// plain config; docs/performance.md has the figures.
module.exports = (/** @type {string} */ phase) =>
  phase === PHASE_PRODUCTION_SERVER ? nextConfig : withSentry(nextConfig)

/** @param {import('next').NextConfig} config */
function withSentry(config) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is CommonJS
  const { withSentryConfig } = require('@sentry/nextjs/config')
  return withSentryConfig(config, {
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
    // No build-time instrumentation of server packages. Here it only rewrites postgres.js, whose
    // queries lib/db/tracing.ts already spans (through Drizzle, for both drivers, with the
    // request's query count), and the rewritten driver imports Sentry's server code: about 1 MB
    // of it loaded by every server, with or without a DSN.
    buildTimeInstrumentation: false,
    // Without a DSN the browser gets nothing from Sentry, not even the route list.
    routeManifestInjection: process.env.NEXT_PUBLIC_SENTRY_DSN?.trim() ? undefined : false,
    // No `tunnelRoute`: it only works for sentry.io DSNs. The browser's tunnel is
    // app/monitoring/route.ts, which forwards to any DSN's host (self-hosted, GlitchTip).
  })
}
