// Throwaway databases for integration tests: embedded PGlite always, and a real PostgreSQL
// when TEST_DATABASE_URL is set. Each test gets its own database, dropped afterwards, so
// tests never touch the developer's data.
import { openDatabase, type Database, type DatabaseHandle } from '@/lib/db/client'
import { createThrowawayPostgres } from './postgres.mjs'

export type TestDatabase = DatabaseHandle & {
  label: string
  /** What `db` connects to. On PostgreSQL: as the app role, with the rights the app has in production. */
  url: string
  /**
   * The same database as the role that owns the tables, for what only the owner may do (a
   * failure a test injects by renaming a table). PGlite has one user: there it is `db`.
   */
  owner: Database
}

export type TestDatabaseKind = { label: string; create: () => Promise<TestDatabase> }

export function testDatabaseKinds(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ label: 'pglite', create: createPgliteDatabase }]
  const serverUrl = process.env.TEST_DATABASE_URL?.trim()
  if (serverUrl) kinds.push({ label: 'postgres', create: () => createPostgresDatabase(serverUrl) })
  return kinds
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const handle = await openDatabase({ driver: 'pglite', dataDir: undefined })
  return { ...handle, label: 'pglite', url: 'pglite:memory', owner: handle.db }
}

/**
 * A migrated database that `db` reaches as its own app role (set up by the code behind
 * `npm run db:create-app-role`), or with `migrated: false` an empty one `db` reaches as the owner.
 */
export async function createPostgresDatabase(
  serverUrl: string,
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const throwaway = await createThrowawayPostgres(serverUrl, { migrated, appRole: migrated })
  const owner = await openDatabase({ driver: 'postgres', url: throwaway.url })
  const app = throwaway.appUrl ? await openDatabase({ driver: 'postgres', url: throwaway.appUrl }) : owner
  return {
    ...app,
    label: 'postgres',
    url: throwaway.appUrl ?? throwaway.url,
    owner: owner.db,
    close: async () => {
      await app.close()
      if (app !== owner) await owner.close()
      await throwaway.drop()
    },
  }
}

export { rowsOf } from '@/lib/db/rows'
