// Migrations apply from empty, through the same command a user runs (`npm run db:migrate`,
// i.e. drizzle-kit migrate), to PGlite and, when TEST_DATABASE_URL is set, to PostgreSQL.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '@/lib/db/client'
import { createPostgresDatabase, rowsOf, type TestDatabase } from '../support/databases'

const run = promisify(execFile)

async function migrateWithCli(databaseUrl: string, env: Record<string, string> = {}) {
  const { stdout, stderr } = await run('npx', ['drizzle-kit', 'migrate'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development', ...env },
  })
  return stdout + stderr
}

async function journalLength() {
  const journal = JSON.parse(await readFile('drizzle/meta/_journal.json', 'utf8')) as { entries: unknown[] }
  return journal.entries.length
}

async function expectMigrated(db: Database) {
  const tables = await db.execute<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public'`,
  )
  expect(rowsOf<{ table_name: string }>(tables).map((r) => r.table_name)).toContain('organizations')
  const applied = await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)
  expect(rowsOf<{ n: number }>(applied)[0]?.n).toBe(await journalLength())
}

describe('migrations from empty', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })

  it('npm run db:migrate applies every migration to an empty PGlite directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'signalbox-pglite-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await migrateWithCli(`pglite:${dir}`)
    const handle = await openDatabase({ driver: 'pglite', dataDir: dir })
    cleanups.push(handle.close)
    await expectMigrated(handle.db)
  }, 60_000) // drizzle-kit is a separate process, then PGlite boots twice: slow on a busy machine

  it('the app migrates an in-memory PGlite database before its first query', async () => {
    const handle = await openDatabase({ driver: 'pglite', dataDir: undefined })
    cleanups.push(handle.close)
    await expectMigrated(handle.db)
  })

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    'npm run db:migrate applies every migration to an empty PostgreSQL database',
    async () => {
      const database: TestDatabase = await createPostgresDatabase(process.env.TEST_DATABASE_URL!, { migrated: false })
      cleanups.push(database.close)
      await expect(database.db.execute(sql`select 1 from organizations`)).rejects.toThrow()
      await migrateWithCli(database.url)
      await expectMigrated(database.db)
    },
  )

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    'with MIGRATION_DATABASE_URL set, npm run db:migrate migrates that database and never connects to DATABASE_URL',
    async () => {
      const database: TestDatabase = await createPostgresDatabase(process.env.TEST_DATABASE_URL!, { migrated: false })
      cleanups.push(database.close)
      // The app's URL points nowhere: a connection attempt to it would fail the command.
      await migrateWithCli('postgres://signalbox_app:unused@127.0.0.1:1/nowhere', {
        MIGRATION_DATABASE_URL: database.url,
      })
      await expectMigrated(database.db)
    },
    60_000, // drizzle-kit is a separate process: seconds to start on a busy machine
  )

  it('on Vercel, npm run db:migrate refuses to run without DATABASE_URL, even with MIGRATION_DATABASE_URL', async () => {
    type Failure = Error & { stderr?: string; stdout?: string }
    const failure = await migrateWithCli('', { VERCEL: '1', MIGRATION_DATABASE_URL: 'pglite:memory' }).then(
      () => undefined,
      (error: Failure) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    expect(`${failure?.stderr}${failure?.stdout}`).toMatch(/DATABASE_URL is not set: the app/)
  }, 60_000)
})
