// The readiness probe against real databases, a refused port, and a server that accepts the
// connection but never answers (the case that hangs naive health checks).
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '@/lib/db/client'
import { checkDatabase } from '@/lib/db'
import { DataDirInUse } from '@/lib/db/data-dir-lock'
import { testDatabaseKinds } from '../support/databases'

describe.each(testDatabaseKinds())('checkDatabase on $label', ({ create }) => {
  it('is ok when select 1 answers', async () => {
    const database = await create()
    try {
      const result = await checkDatabase(async () => database.db, 1000)
      expect(result.ok).toBe(true)
    } finally {
      await database.close()
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
