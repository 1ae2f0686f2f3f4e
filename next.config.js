// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Packages that must stay as plain Node requires instead of being bundled: pino's worker
  // threads break under Turbopack bundling, and PGlite loads its WASM and data files from disk.
  serverExternalPackages: ['pino', 'pino-pretty', '@electric-sql/pglite', 'prom-client'],
}

module.exports = nextConfig
