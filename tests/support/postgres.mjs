// A throwaway PostgreSQL database next to a server's URL, migrated from empty and dropped
// afterwards. Plain JavaScript and postgres.js, so Vitest, Playwright and the benchmarks
// (plain Node) share it.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import postgres from 'postgres'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import { appDatabaseUrl, generatePassword, quoteIdentifier, setUpAppRole } from '../../scripts/app-role.mjs'

/**
 * `url` is the owner's (the server URL's user, who ran the migrations). With `appRole`,
 * `appUrl` connects as a role of this database's own, set up by `npm run db:create-app-role`'s
 * code: the rights the app has in production.
 * @typedef {{ url: string, appUrl?: string, appRole?: string, drop: () => Promise<void> }} ThrowawayPostgres
 */

/**
 * @param {string} serverUrl e.g. postgres://postgres@127.0.0.1:5432/test
 * @param {{ migrated?: boolean, prefix?: string, appRole?: boolean }} [options] `appRole` needs `migrated`
 * @returns {Promise<ThrowawayPostgres>}
 */
export async function createThrowawayPostgres(
  serverUrl,
  { migrated = true, prefix = 'signalbox_test', appRole = false } = {},
) {
  if (appRole && !migrated) throw new Error('an app role needs the migrated tables')
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  // Roles are cluster-wide and other test runs share the cluster: the name is this database's.
  const role = appRole ? `${name}_app` : undefined
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${quoteIdentifier(name)}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  const drop = async () => {
    await admin.unsafe(`drop database if exists ${quoteIdentifier(name)} with (force)`)
    // Its grants and default privileges lived in the database just dropped, so nothing holds it.
    if (role) await admin.unsafe(`drop role if exists ${quoteIdentifier(role)}`)
    await admin.end()
  }
  let appUrl
  try {
    if (migrated) {
      const client = postgres(url.toString(), { max: 1, onnotice: () => {} })
      try {
        await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), 'drizzle') })
        if (role) {
          const password = generatePassword()
          await setUpAppRole(client, { role, password })
          appUrl = appDatabaseUrl(url.toString(), role, password)
        }
      } finally {
        await client.end()
      }
    }
  } catch (error) {
    await drop()
    throw error
  }
  return { url: url.toString(), ...(role ? { appUrl, appRole: role } : {}), drop }
}
