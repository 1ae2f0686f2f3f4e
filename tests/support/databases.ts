// Throwaway databases for integration tests: embedded PGlite always, and a real PostgreSQL
// when TEST_DATABASE_URL is set. Each test gets its own database, dropped afterwards, so
// tests never touch the developer's data.
import { openDatabase, type DatabaseHandle } from '@/lib/db/client'
import { createThrowawayPostgres } from './postgres.mjs'

export type TestDatabase = DatabaseHandle & { label: string; url: string }

export type TestDatabaseKind = { label: string; create: () => Promise<TestDatabase> }

export function testDatabaseKinds(): TestDatabaseKind[] {
  const kinds: TestDatabaseKind[] = [{ label: 'pglite', create: createPgliteDatabase }]
  const serverUrl = process.env.TEST_DATABASE_URL?.trim()
  if (serverUrl) kinds.push({ label: 'postgres', create: () => createPostgresDatabase(serverUrl) })
  return kinds
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  const handle = await openDatabase({ driver: 'pglite', dataDir: undefined })
  return { ...handle, label: 'pglite', url: 'pglite:memory' }
}

export async function createPostgresDatabase(serverUrl: string, options?: { migrated?: boolean }): Promise<TestDatabase> {
  const throwaway = await createThrowawayPostgres(serverUrl, options)
  const handle = await openDatabase({ driver: 'postgres', url: throwaway.url })
  return {
    ...handle,
    label: 'postgres',
    url: throwaway.url,
    close: async () => {
      await handle.close()
      await throwaway.drop()
    },
  }
}

export { rowsOf } from '@/lib/db/rows'
