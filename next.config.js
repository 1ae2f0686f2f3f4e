// @ts-check

// PostHog is reached through /ingest on our own origin (ad-blockers drop ~30% of direct
// calls, and the CSP can keep connect-src 'self'). Read at build time.
const posthogHost = (process.env.POSTHOG_HOST || 'https://us.i.posthog.com').replace(/\/$/, '')
const posthogAssetsHost = (process.env.POSTHOG_ASSETS_HOST || 'https://us-assets.i.posthog.com').replace(/\/$/, '')

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Packages that must stay plain Node requires instead of being bundled: pino's worker
  // threads break under Turbopack bundling, PGlite loads its WASM and data files from disk,
  // and prom-client keeps process-wide state.
  serverExternalPackages: ['pino', 'pino-pretty', '@electric-sql/pglite', 'prom-client'],
  // PostHog's API paths end in a slash; redirecting them would break ingestion.
  skipTrailingSlashRedirect: true,
  env: {
    // Links from PostHog's toolbar back to its UI; derived, not configured.
    NEXT_PUBLIC_POSTHOG_UI_HOST: posthogHost.includes('eu.') ? 'https://eu.posthog.com' : 'https://us.posthog.com',
  },
  async rewrites() {
    return [
      { source: '/ingest/static/:path*', destination: `${posthogAssetsHost}/static/:path*` },
      { source: '/ingest/:path*', destination: `${posthogHost}/:path*` },
    ]
  },
  async redirects() {
    // The names people type for the auth pages.
    return [
      { source: '/login', destination: '/sign-in', permanent: false },
      { source: '/signup', destination: '/sign-up', permanent: false },
      { source: '/register', destination: '/sign-up', permanent: false },
    ]
  },
}

module.exports = nextConfig
