import { readdirSync } from 'node:fs'
import path from 'node:path'
import { defineConfig, globalIgnores } from 'eslint/config'
import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

// ── House rules: the data ────────────────────────────────────────────────────────────────────
// Everything below the next line of dashes is generated from the values in this section.

// Every directory directly under lib/ is a room (read from disk, so a new room is covered without
// editing this file). From outside a room only its entry points may be imported: these files, plus
// EXTRA_ENTRY_POINTS. Single files directly under lib/ (lib/http.ts…) are their own entry points.
const ROOM_ENTRY_FILES = ['index.ts', 'client.ts', 'client.tsx']

// Files inside a room that outsiders may import too, and why index.ts cannot serve them.
const EXTRA_ENTRY_POINTS = [
  // The pure request-ID rule: the proxy and the browser need it without the room's server code.
  'lib/request/id.ts',
  // Free of the server-only code index.ts carries: drizzle.config.ts reads it under drizzle-kit, outside Next.
  'lib/db/url.ts',
  // drizzle-kit reads the schema file by its path (drizzle.config.ts).
  'lib/db/schema.ts',
  // Sentry settings every runtime shares, without the SDK: the proxy (CSP) and the browser adapter.
  'lib/errors/settings.ts',
  // The pure redirect rules: the proxy needs them without Auth.js and the database.
  'lib/auth/routing.ts',
  // The Node server's request hook (node:http, the routes manifest): start-up installs it. Kept out
  // of lib/request's index, which Sentry's edge runtime loads too.
  'lib/request/http-hook.ts',
  // The OpenTelemetry SDK: start-up loads it with import() only when an endpoint is set, so no
  // other bundle (the edge runtime's included) carries it.
  'lib/traces/tracing.ts',
  // The Node server's Sentry transport (node:http): sentry.server.config.ts passes it to the SDK.
  // Kept out of lib/errors's index, which the edge runtime loads too.
  'lib/errors/sentry-node-transport.ts',
  // The browser's envelopes, forwarded (app/monitoring/route.ts); it inflates replay recordings
  // (node:zlib), so it is kept out of lib/errors's index, which the edge runtime loads too.
  'lib/errors/tunnel.ts',
]

// Each vendor SDK is imported only by its adapter files, so replacing or upgrading one touches one
// place. A package name covers its subpaths (`next-auth` covers `next-auth/providers/github`);
// `@scope/*` covers every package of the scope. Type-only imports count too.
const VENDOR_ADAPTERS = [
  {
    packages: ['@sentry/*'],
    adapters: [
      'lib/errors/sentry-server.ts',
      'lib/errors/sentry-node-transport.ts',
      'lib/errors/sentry-browser.ts',
      'lib/errors/sentry-browser-replay.ts',
      // Development: what the server's SDK sends, also recorded for the local inspector.
      'lib/errors/inspector-transport.ts',
      // Uses the SDK's event and breadcrumb types to scrub them.
      'lib/errors/scrub-event.ts',
      // The build plugin (withSentryConfig).
      'next.config.js',
    ],
  },
  { packages: ['posthog-node'], adapters: ['lib/analytics/posthog-server.ts'] },
  { packages: ['posthog-js'], adapters: ['lib/analytics/posthog-browser.ts'] },
  // Loaded with import() after hydration, so it stays out of every page's first-load JS.
  { packages: ['web-vitals'], adapters: ['lib/browser-telemetry/vitals.ts'] },
  // The one lib/auth file that imports Auth.js today; app/ goes through lib/auth.
  { packages: ['next-auth', '@auth/*'], adapters: ['lib/auth/nextauth.ts'] },
  { packages: ['pino', 'pino-pretty'], adapters: ['lib/logs/logger.ts'] },
  { packages: ['prom-client'], adapters: ['lib/metrics/registry.ts'] },
  { packages: ['@opentelemetry/*'], adapters: ['lib/traces/**'] },
]

// tests/ may reach a room's internals and the SDKs to test them; bench/ and scripts/ are tooling
// outside the app.
const ROOM_RULE_EXEMPT = ['tests/**', 'bench/**', 'scripts/**']
const VENDOR_RULE_EXEMPT = ['tests/**', 'bench/**']

// ─────────────────────────────────────────────────────────────────────────────────────────────

const root = import.meta.dirname
const SOURCE_FILES = ['**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}']
const rooms = readdirSync(path.join(root, 'lib'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)

// import/no-restricted-paths judges the file an import resolves to, so `@/lib/x/y`, `../x/y`,
// `import()` and `require()` are all caught; an import that does not resolve is not judged (the
// type check reports it). `target: '.'` means every file linted with this set of zones; which files
// get which set is decided by the config blocks at the bottom.
function roomZone(room) {
  const roomDir = `lib/${room}`
  const extras = EXTRA_ENTRY_POINTS.filter((file) => file.startsWith(`${roomDir}/`)).map((file) =>
    path.posix.relative(roomDir, file),
  )
  const entries = [...ROOM_ENTRY_FILES, ...extras]
  return {
    target: '.',
    from: roomDir,
    except: entries.map((file) => `./${file}`),
    message: `lib/${room} is a room: from outside it import only ${entries.join(', ')} (eslint.config.mjs lists the entry points).`,
  }
}

const appZone = {
  target: ['lib', 'components'],
  from: 'app',
  message: 'lib/ and components/ never import from app/: move what both need into lib/.',
}

function importBoundaries(ownRoom) {
  const zones = [...rooms.filter((room) => room !== ownRoom).map(roomZone), appZone]
  return { 'import/no-restricted-paths': ['error', { basePath: root, zones }] }
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const packageRegExp = (name) =>
  name.endsWith('/*') ? `${escapeRegExp(name.slice(0, -1))}.+` : `${escapeRegExp(name)}(?:/.+)?`

// no-restricted-imports sees import and export…from declarations (type-only included);
// no-restricted-syntax covers what it cannot see: import(), require() and `import('x')` types.
function vendorRules(allowedHere) {
  const banned = VENDOR_ADAPTERS.filter((vendor) => !allowedHere.includes(vendor)).map((vendor) => ({
    regex: `^(?:${vendor.packages.map(packageRegExp).join('|')})$`,
    message: `${vendor.packages.join(', ')}: import only in ${vendor.adapters.join(', ')} (eslint.config.mjs, VENDOR_ADAPTERS).`,
  }))
  // Options given with only a severity would keep an earlier block's list, so nothing banned is 'off'.
  if (banned.length === 0) return { 'no-restricted-imports': 'off', 'no-restricted-syntax': 'off' }
  return {
    'no-restricted-imports': ['error', { patterns: banned }],
    'no-restricted-syntax': [
      'error',
      ...banned.map(({ regex, message }) => {
        const literal = `/${regex.replaceAll('/', '\\/')}/`
        return {
          selector: `:matches(ImportExpression[source.value=${literal}], TSImportType[source.value=${literal}], CallExpression[callee.name="require"][arguments.0.value=${literal}])`,
          message,
        }
      }),
    ],
  }
}

// One block per adapter entry, matched as written: a file named under two vendors may import both,
// but a file matched by two different entries (a glob and a path) gets only the later block's list.
const adapterFiles = [...new Set(VENDOR_ADAPTERS.flatMap((vendor) => vendor.adapters))]

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    '.next/**',
    '.next-*/**',
    '.data/**',
    'node_modules/**',
    'drizzle/**',
    'next-env.d.ts',
    'bench/baseline/.next/**',
    'test-results/**',
  ]),

  // Later blocks replace the options of earlier ones for the files they match.
  { name: 'house/rooms', files: SOURCE_FILES, ignores: ROOM_RULE_EXEMPT, rules: importBoundaries(null) },
  ...rooms.map((room) => ({ name: `house/rooms/${room}`, files: [`lib/${room}/**`], rules: importBoundaries(room) })),

  { name: 'house/vendors', files: SOURCE_FILES, ignores: VENDOR_RULE_EXEMPT, rules: vendorRules([]) },
  ...adapterFiles.map((file) => ({
    name: `house/vendors/${file}`,
    files: [file],
    rules: vendorRules(VENDOR_ADAPTERS.filter((vendor) => vendor.adapters.includes(file))),
  })),
])
