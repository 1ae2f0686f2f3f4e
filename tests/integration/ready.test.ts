// The readiness probe against real databases, a refused port, and a server that accepts the
// connection but never answers (the case that hangs naive health checks).
import net from 'node:net'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '@/lib/db/client'
import { checkDatabase } from '@/lib/db'
import { DataDirInUse } from '@/lib/db/data-dir-lock'
import { testDatabaseKinds } from '../support/databases'
import { createThrowawayPostgres } from '../support/postgres.mjs'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()

describe.each(testDatabaseKinds())('checkDatabase on $label', ({ create }) => {
  it('is ok when every table of the schema is there and readable', async () => {
    const database = await create()
    try {
      const result = await checkDatabase(async () => database.db, 1000)
      expect(result.ok).toBe(true)
    } finally {
      await database.close()
    }
  })
})

describe.skipIf(!serverUrl)('checkDatabase on a PostgreSQL the app cannot use yet', () => {
  it('fails, saying what to run, on a database nobody migrated (select 1 answered ok there)', async () => {
    const database = await createThrowawayPostgres(serverUrl!, { migrated: false })
    const handle = await openDatabase({ driver: 'postgres', url: database.url })
    try {
      expect(await checkDatabase(async () => handle.db, 2000)).toEqual({
        ok: false,
        error: 'tables missing: run npm run db:migrate',
      })
    } finally {
      await handle.close()
      await database.drop()
    }
  })

  it('fails, saying what to run, for a role that may not read the tables', async () => {
    const database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    const owner = await openDatabase({ driver: 'postgres', url: database.url })
    const app = await openDatabase({ driver: 'postgres', url: database.appUrl! })
    try {
      expect(await checkDatabase(async () => app.db, 2000)).toMatchObject({ ok: true })
      // As a table created after the role was set up, by hand, without the default privileges.
      await owner.db.execute(sql.raw(`revoke select on customers from "${database.appRole}"`))
      expect(await checkDatabase(async () => app.db, 2000)).toEqual({
        ok: false,
        error: 'tables not readable: run npm run db:create-app-role',
      })
    } finally {
      await app.close()
      await owner.close()
      await database.drop()
    }
  })
})

describe('checkDatabase when the database is unreachable', () => {
  let silent: net.Server
  let silentPort = 0
  const sockets = new Set<net.Socket>()

  beforeAll(async () => {
    silent = net.createServer((socket) => sockets.add(socket)) // accepts, never replies
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    silentPort = (silent.address() as net.AddressInfo).port
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  it('fails within the timeout when the server never answers', async () => {
    const handle = await openDatabase({ driver: 'postgres', url: `postgres://postgres@127.0.0.1:${silentPort}/app` })
    const started = performance.now()
    const result = await checkDatabase(async () => handle.db, 300)
    const elapsed = performance.now() - started
    expect(result).toEqual({ ok: false, error: 'no answer within 300 ms' })
    expect(elapsed).toBeLessThan(1500)
    void handle.close().catch(() => {})
  })

  it('fails without leaking connection details when the port refuses', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo
        probe.close(() => resolve(port))
      })
    })
    const handle = await openDatabase({ driver: 'postgres', url: `postgres://postgres:pw@127.0.0.1:${closedPort}/app` })
    const result = await checkDatabase(async () => handle.db, 1000)
    expect(result).toEqual({ ok: false, error: 'database unreachable' })
    await handle.close()
  })

  it('says a query that failed for another reason failed, and no more', async () => {
    const result = await checkDatabase(async () => {
      throw new Error('relation "secret_table" does not exist')
    }, 1000)
    expect(result).toEqual({ ok: false, error: 'query failed' })
  })

  it('names an embedded database held by another process', async () => {
    const result = await checkDatabase(async () => {
      throw new DataDirInUse('.data/pglite', 4242)
    }, 1000)
    expect(result).toEqual({ ok: false, error: 'embedded database in use by another process' })
  })
})
