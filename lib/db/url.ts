// Which database `npm run db:migrate` works on. Kept free of server-only imports so
// drizzle.config.ts (run by drizzle-kit, outside Next) resolves URLs the same way the app does.
import { databaseTargetFrom, type DatabaseTarget } from '../env'

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
