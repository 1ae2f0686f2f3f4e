// A throwaway PostgreSQL database next to a server's URL, migrated from empty and dropped
// afterwards. Plain JavaScript and postgres.js, so Vitest, Playwright and the benchmarks
// (plain Node) share it.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'

/** @typedef {{ url: string, drop: () => Promise<void> }} ThrowawayPostgres */

/**
 * @param {string} serverUrl e.g. postgres://postgres@127.0.0.1:5432/test
 * @param {{ migrated?: boolean, prefix?: string }} [options]
 * @returns {Promise<ThrowawayPostgres>}
 */
export async function createThrowawayPostgres(serverUrl, { migrated = true, prefix = 'signalbox_test' } = {}) {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
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
