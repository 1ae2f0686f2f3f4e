import 'server-only'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { lockDataDir } from './data-dir-lock'
import { NO_ANSWER_AFTER_MS, setNoAnswerDeadline } from './deadline'
import * as schema from './schema'
import { traceDatabaseQueries } from './tracing'
import type { DatabaseTarget } from '../env'

/** Both drivers give the same query API; app code only sees this type. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>

export type DatabaseHandle = { db: Database; close: () => Promise<void> }

const MIGRATIONS_FOLDER = path.join(process.cwd(), 'drizzle')

/**
 * How long a pool slot waits before its next connection attempt after `retries` failed ones:
 * 0.1, 0.2, 0.4, 0.8, then 1 s at most, with jitter so the slots do not knock in step.
 * postgres.js's default grows to 20 s (`min(3^retries / 100, 20)`), and while the database is
 * down a query waits for a slot's next attempt before it fails: after a few seconds of outage
 * requests hung for 10–20 s, and the first one after the database came back waited 8–10 s
 * (docs/reliability.md, scenario 2). A refused attempt costs the database nothing.
 */
export function reconnectDelaySeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.1 * 2 ** Math.max(retries - 1, 0), 1)
}

/**
 * Opens a connection for `target`. PGlite databases are migrated before they are returned:
 * the embedded database has no separate deploy step, so a fresh clone just works.
 * Drivers are imported on demand so a PostgreSQL deployment never loads PGlite's WASM.
 */
export async function openDatabase(
  target: DatabaseTarget,
  { noAnswerAfterMs = NO_ANSWER_AFTER_MS }: { noAnswerAfterMs?: number } = {},
): Promise<DatabaseHandle> {
  traceDatabaseQueries()
  if (target.driver === 'postgres') {
    const { default: postgres } = await import('postgres')
    const { drizzle } = await import('drizzle-orm/postgres-js')
    const client = postgres(target.url, {
      max: 10,
      connect_timeout: 10,
      idle_timeout: 30,
      backoff: reconnectDelaySeconds,
      onnotice: () => {},
    })
    setNoAnswerDeadline(client, noAnswerAfterMs)
    const db = drizzle(client, { schema }) as unknown as Database
    return { db, close: () => client.end({ timeout: 5 }) }
  }

  const { PGlite } = await import('@electric-sql/pglite')
  const { drizzle } = await import('drizzle-orm/pglite')
  const { migrate } = await import('drizzle-orm/pglite/migrator')
  let unlock = () => {}
  if (target.dataDir) {
    mkdirSync(target.dataDir, { recursive: true })
    unlock = lockDataDir(target.dataDir)
  }
  try {
    const client = new PGlite(target.dataDir ?? 'memory://')
    const pgliteDb = drizzle(client, { schema })
    await migrate(pgliteDb, { migrationsFolder: MIGRATIONS_FOLDER })
    const close = async () => {
      await client.close()
      unlock()
    }
    return { db: pgliteDb as unknown as Database, close }
  } catch (error) {
    unlock()
    throw error
  }
}
