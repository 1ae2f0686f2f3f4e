// Turns DATABASE_URL into the driver to use. Kept free of server-only imports so
// drizzle.config.ts (run by drizzle-kit, outside Next) resolves the URL the same way the app does.

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

/** A printable description that never includes credentials. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.driver === 'pglite') return `PGlite (${target.dataDir ?? 'in memory'})`
  try {
    const u = new URL(target.url)
    return `PostgreSQL (${u.hostname}:${u.port || '5432'}${u.pathname})`
  } catch {
    return 'PostgreSQL'
  }
}
