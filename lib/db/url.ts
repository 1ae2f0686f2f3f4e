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

/**
 * The database `npm run db:migrate` works on (drizzle.config.ts): MIGRATION_DATABASE_URL, a role
 * that owns the tables, else DATABASE_URL (one role for everything, or PGlite). The app itself
 * never reads MIGRATION_DATABASE_URL, so it never holds the owner's rights.
 */
export function migrationTargetFrom(env: Record<string, string | undefined>): DatabaseTarget {
  const migrationUrl = env.MIGRATION_DATABASE_URL?.trim()
  const appUrl = env.DATABASE_URL?.trim()
  // On Vercel the build that migrates ships the app that needs DATABASE_URL: failing here fails
  // the deploy instead of its first request, even when migrations use MIGRATION_DATABASE_URL.
  if (env.VERCEL && !appUrl) {
    throw new Error(
      'DATABASE_URL is not set: the app this deploy ships needs it. Set it (and MIGRATION_DATABASE_URL when migrations run as the owner role) before running migrations.',
    )
  }
  if (!migrationUrl && !appUrl && (env.NODE_ENV === 'production' || env.VERCEL)) {
    // Migrating the embedded database during a deploy would hide a missing URL.
    throw new Error(
      'DATABASE_URL is not set: set it, or MIGRATION_DATABASE_URL (the role that owns the tables), to the production database before running migrations.',
    )
  }
  if (!migrationUrl) return databaseTargetFrom(appUrl)
  try {
    return databaseTargetFrom(migrationUrl)
  } catch {
    throw new Error('MIGRATION_DATABASE_URL must start with postgres://, postgresql:// or pglite:')
  }
}
