// The database entry point: `const db = await getDb()` anywhere on the server.
import 'server-only'
import { getTableName, is, sql } from 'drizzle-orm'
import { PgTable } from 'drizzle-orm/pg-core'
import { env } from '../env'
import { openDatabase, type Database } from './client'
import { DataDirInUse } from './data-dir-lock'
import { databaseTargetFrom } from '../env'
import { rowsOf } from './rows'
import * as tables from './schema'
import { hasErrorCode, isDatabaseUnavailable } from './unavailable'

export type { Database } from './client'
export * as schema from './schema'
export { rowsOf } from './rows'
export { isDatabaseUnavailable, isLockTimeout, mayHaveCommitted } from './unavailable'

// Cached on globalThis so hot reload in development reuses one client instead of opening
// a new pool per edit (the "too many clients" failure).
const cache = globalThis as unknown as { __signalboxDb?: Promise<Database> }

export function getDb(): Promise<Database> {
  cache.__signalboxDb ??= openDatabase(databaseTargetFrom(env().DATABASE_URL)).then(
    (handle) => handle.db,
    (error: unknown) => {
      cache.__signalboxDb = undefined // let the next call retry rather than fail forever
      throw error
    },
  )
  return cache.__signalboxDb
}

/**
 * What a failed check says, coarse enough for a public endpoint (the check logs nothing: it is
 * polled every few seconds; failing requests' error lines carry the driver's error): the two
 * causes someone can act on without reading logs, else 'query failed'.
 */
function coarseCause(error: unknown): string {
  if (error instanceof DataDirInUse) return 'embedded database in use by another process'
  if (isDatabaseUnavailable(error)) return 'database unreachable'
  if (hasErrorCode(error, UNDEFINED_TABLE)) return 'tables missing: run npm run db:migrate'
  return 'query failed'
}

const UNDEFINED_TABLE = '42P01'

/**
 * The probe: every table of the schema is there, and this role may read each. `select 1` alone
 * answered ok on a database nobody had migrated (or for a role without grants), while every
 * sign-in failed on a missing table. A missing table fails the query (42P01); a table the role
 * may not read makes it answer false. The names are the schema's own, never input.
 */
const SCHEMA_PROBE = sql.raw(
  `select ${(Object.values(tables) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => `has_table_privilege('public.${getTableName(table)}', 'SELECT')`)
    .join(' and ')} as readable`,
)

export type CheckResult = { ok: true; durationMs: number } | { ok: false; error: string }

/** Answers whether the schema probe (above) succeeds within `timeoutMs`; never throws, never hangs. */
export async function checkDatabase(connect: () => Promise<Database>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs)
  })
  const probe = (async (): Promise<CheckResult> => {
    const db = await connect()
    const [row] = rowsOf<{ readable: boolean }>(await db.execute(SCHEMA_PROBE))
    if (!row?.readable) return { ok: false, error: 'tables not readable: run npm run db:create-app-role' }
    const durationMs = Math.round(performance.now() - started)
    // A blocked event loop can delay the timer past the deadline: a late answer is still a failure.
    if (durationMs > timeoutMs) return { ok: false, error: `answered after ${durationMs} ms` }
    return { ok: true, durationMs }
  })().catch((error: unknown): CheckResult => ({ ok: false, error: coarseCause(error) }))
  try {
    return await Promise.race([probe, timeout])
  } finally {
    clearTimeout(timer)
  }
}
