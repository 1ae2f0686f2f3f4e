// A throwaway PostgreSQL database next to TEST_DATABASE_URL's, migrated from empty and
// dropped afterwards. Plain postgres.js, so both Vitest and Playwright can use it.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'

export type ThrowawayPostgres = { url: string; drop: () => Promise<void> }

export async function createThrowawayPostgres(serverUrl: string, { migrated = true } = {}): Promise<ThrowawayPostgres> {
  const name = `signalbox_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database "${name}"`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  if (migrated) {
    const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
    await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), 'drizzle') })
    await client.end()
  }
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`)
      await admin.end()
    },
  }
}
