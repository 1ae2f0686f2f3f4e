// What a valid value of the structured variables looks like: a database URL, a Sentry DSN and
// an http(s) origin. Pure, so env validation, the database client, drizzle.config.ts and the
// Sentry tunnel all read them the same way.

/** Where the embedded database lives when DATABASE_URL is unset in development and tests. */
export const DEFAULT_PGLITE_DIR = '.data/pglite'

export type DatabaseTarget =
  | { driver: 'postgres'; url: string }
  /** `dataDir` undefined means in-memory. */
  | { driver: 'pglite'; dataDir: string | undefined }

export function databaseTargetFrom(url: string | undefined): DatabaseTarget {
  const value = url?.trim()
  if (!value) return { driver: 'pglite', dataDir: DEFAULT_PGLITE_DIR }
  if (value.startsWith('postgres://') || value.startsWith('postgresql://')) {
    return { driver: 'postgres', url: value }
  }
  if (value.startsWith('pglite:')) {
    const dir = value.slice('pglite:'.length).replace(/^\/\/(?=\/)/, '')
    if (dir === 'memory' || dir === '') return { driver: 'pglite', dataDir: undefined }
    return { driver: 'pglite', dataDir: dir }
  }
  throw new Error(
    'DATABASE_URL must start with postgres://, postgresql:// or pglite: (e.g. pglite:.data/pglite or pglite:memory)',
  )
}

export type ParsedDsn = {
  protocol: 'http:' | 'https:'
  publicKey: string
  /** Hostname with the port when there is one. */
  host: string
  /** Self-hosted Sentry can live under a path: `https://key@example.com/sentry/42` → `/sentry`. */
  pathPrefix: string
  projectId: string
}

/** Parses `protocol://publicKey[:secret]@host[:port][/prefix]/projectId`; undefined when invalid. */
export function parseDsn(dsn: string | undefined): ParsedDsn | undefined {
  if (!dsn) return undefined
  let url: URL
  try {
    url = new URL(dsn.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (!url.username || url.search || url.hash) return undefined
  const segments = url.pathname.split('/').filter(Boolean)
  const projectId = segments.pop()
  if (!projectId || !/^\d+$/.test(projectId)) return undefined
  return {
    protocol: url.protocol,
    publicKey: decodeURIComponent(url.username),
    host: url.host,
    pathPrefix: segments.length > 0 ? `/${segments.join('/')}` : '',
    projectId,
  }
}

/**
 * `scheme://host[:port]` as the WHATWG URL parser writes an origin (lower-case host, no default
 * port), which is how undici names the origin of each request it sends; undefined when `value`
 * is not an http(s) origin: another scheme, a path beyond `/`, a query, a fragment, credentials
 * or a `*` wildcard.
 */
export function httpOrigin(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return undefined
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return undefined
  if (url.hostname.includes('*')) return undefined // a pattern, which the URL parser would take as a name
  return url.origin
}
