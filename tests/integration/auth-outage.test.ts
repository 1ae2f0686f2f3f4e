// The sign-in and sign-up forms while PostgreSQL is away: the real server actions
// (app/(auth)/actions.ts) through the real Auth.js signIn and registerUser, on a real server
// behind a port switch (tests/support/port-switch.ts) that refuses new connections and cuts
// open ones. Mocked is only what a Next request alone provides: next/headers (the request's
// headers, its response's cookie jar) and next/server's after(); getDb() hands out the pool
// behind the switch, as auth-flows.test.ts hands out its database.
// - sign-in during an outage says the database cannot be reached and keeps the email; it does
//   not say "Email or password is incorrect" (Auth.js wraps the failed query in the same
//   AuthError as a wrong password); a query failing for another reason (a table missing) is
//   thrown as our error, not answered as a wrong password either;
// - sign-up that fails before the account's INSERT was sent (refused at connect, or cut while
//   its limit was being counted) says nothing was saved, keeping name and email, never the password;
// - sign-up whose connection is cut after the account's INSERT was sent says the account may
//   have been created;
// - once the database is back, the same form signs in or up (nothing stays stuck).
import { sql } from 'drizzle-orm'
import { getURLFromRedirectError } from 'next/dist/client/components/redirect'
import { isRedirectError } from 'next/dist/client/components/redirect-error'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { openDatabase, type Database, type DatabaseHandle } from '@/lib/db/client'
import { rowsOf } from '@/lib/db/rows'
import { isDatabaseUnavailable, mayHaveCommitted } from '@/lib/db/unavailable'
import { requestContextStorage } from '@/lib/request/context'
import { behindPortSwitch, type PortSwitch } from '../support/port-switch'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'
import { createAfterQueue } from '../support/requests'

const current = vi.hoisted(() => ({
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
  /** The cookies Auth.js set on the current request's response (a session, once signed in). */
  cookies: new Map<string, string>(),
}))
// Only the handle: the rest of lib/db (isDatabaseUnavailable, mayHaveCommitted…) is the real thing.
vi.mock('@/lib/db', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db')>()),
  getDb: async () => current.db,
}))
vi.mock('next/server', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/server')>()),
  after: (task: () => unknown) => current.after?.(task),
}))
// What Next gives a server action: the request's headers and its response's cookie jar.
vi.mock('next/headers', () => ({
  headers: async () => new Headers({ host: '127.0.0.1:3000', 'x-forwarded-proto': 'http' }),
  cookies: async () => ({ set: (name: string, value: string) => current.cookies.set(name, value) }),
}))

vi.stubEnv('AUTH_SECRET', 'integration-test-secret-0123456789abcdef')

const { signInAction, signUpAction } = await import('@/app/(auth)/actions')
const { DATABASE_UNAVAILABLE_MESSAGE, INVALID_CREDENTIALS_MESSAGE, SIGN_UP_UNCONFIRMED_MESSAGE } =
  await import('@/lib/auth')

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const PASSWORD = 'correct horse battery'
const SESSION_COOKIE = 'authjs.session-token'

type FormAction = typeof signInAction
type Submitted = { state: Awaited<ReturnType<FormAction>> } | { redirectedTo: string }

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * postgres.js (3.4.9) answers a transaction whose connection was cut by writing its ROLLBACK to
 * the dead connection, which throws from a setImmediate: an uncaught TypeError ("reading
 * 'write'" of null). Next's server logs it as `uncaughtException` and carries on; Vitest would
 * fail the run on it. While `work` runs (and a moment after), that one error is set aside;
 * any other uncaught error still reaches Vitest.
 */
async function despitePostgresJsRollbackCrash<T>(work: () => Promise<T>): Promise<T> {
  const others = process.listeners('uncaughtException')
  const filter = (error: Error, origin: NodeJS.UncaughtExceptionOrigin) => {
    const known =
      error instanceof TypeError &&
      /reading 'write'/.test(error.message) &&
      /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? '')
    if (!known) for (const listener of others) listener(error, origin)
  }
  process.removeAllListeners('uncaughtException')
  process.on('uncaughtException', filter)
  try {
    return await work()
  } finally {
    await sleep(100)
    process.off('uncaughtException', filter)
    for (const listener of others) process.on('uncaughtException', listener)
  }
}

describe.skipIf(!serverUrl)('the sign-in and sign-up forms when the database goes away', () => {
  let database: ThrowawayPostgres
  let owner: DatabaseHandle
  let plug: PortSwitch
  let app: DatabaseHandle
  const queue = createAfterQueue()

  beforeAll(async () => {
    current.after = queue.after
    database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    owner = await openDatabase({ driver: 'postgres', url: database.url })
    const switched = await behindPortSwitch(database.appUrl!)
    plug = switched.plug
    app = await openDatabase({ driver: 'postgres', url: switched.url })
    current.db = app.db
  })

  afterAll(async () => {
    await app?.close()
    await plug?.close()
    await owner?.close()
    await database?.drop()
  })

  afterEach(async () => {
    await plug.on()
    await queue.flush()
  })

  let counter = 0
  const uniqueEmail = () => `outage${++counter}-${Math.random().toString(36).slice(2, 8)}@example.com`
  const uniqueIp = () => `198.51.100.${++counter % 250}`

  /**
   * Submits a form to a server action as one request from `ip`: the state it answered with, or
   * where it redirected (a successful sign-in or sign-up throws Next's redirect, as it does in Next).
   */
  async function submit(action: FormAction, fields: Record<string, string>, ip: string): Promise<Submitted> {
    const form = new FormData()
    for (const [name, value] of Object.entries(fields)) form.set(name, value)
    current.cookies.clear()
    const context = { requestId: `req-outage-${++counter}`, requestIdSource: 'server' as const, startedAt: 0 }
    try {
      return { state: await requestContextStorage.run({ ...context, peerAddress: ip }, () => action({}, form)) }
    } catch (error) {
      if (isRedirectError(error)) return { redirectedTo: getURLFromRedirectError(error) }
      throw error
    }
  }

  const signedIn = { redirectedTo: expect.stringMatching(/\/customers$/) as unknown }

  const accountsWith = async (email: string) =>
    rowsOf<{ n: number }>(await owner.db.execute(sql`select count(*)::int as n from users where email = ${email}`))[0]
      ?.n

  /** Unplugs, then waits until the pool has seen its connections cut: a new query is refused at connect. */
  async function unplug() {
    await plug.off()
    for (let attempt = 0; attempt < 20; attempt++) {
      const error = await app.db.execute(sql`select 1`).then(
        () => undefined,
        (failure: unknown) => failure,
      )
      if (isDatabaseUnavailable(error) && !mayHaveCommitted(error)) return
    }
    throw new Error('queries still reach the database, or fail otherwise, after unplugging')
  }

  /** The app's INSERTs into `table` that the hold (below) keeps on the server right now. */
  const heldInsertsInto = async (table: string) =>
    rowsOf<{ n: number }>(
      await owner.db.execute(sql`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event = 'PgSleep'
          and query ilike ${`insert into "${table}"%`}`),
    )[0]?.n ?? 0

  /**
   * Submits the sign-up form while every INSERT into `table` is held on the server for 2 s, and
   * cuts the connection once that INSERT is there (it was sent; bcrypt's time before the account's
   * INSERT varies). Then waits for the held statement to end: its transaction never got to
   * COMMIT, so it rolls back, and the test knows what the database holds.
   */
  async function signUpCutDuringInsertInto(table: 'users' | 'sign_in_failures', fields: Record<string, string>) {
    await owner.db.execute(sql`
      create function hold_insert() returns trigger language plpgsql as $$
      begin perform pg_sleep(2); return new; end $$`)
    await owner.db.execute(
      sql.raw(`create trigger hold_insert before insert on ${table} for each row execute function hold_insert()`),
    )
    try {
      return await despitePostgresJsRollbackCrash(async () => {
        const outcome = submit(signUpAction, fields, uniqueIp())
        const waiting = Date.now()
        while ((await heldInsertsInto(table)) === 0 && Date.now() - waiting < 10_000) await sleep(25)
        expect(await heldInsertsInto(table)).toBe(1)
        await plug.off()
        return await outcome
      })
    } finally {
      await owner.db.execute(sql.raw(`drop trigger hold_insert on ${table}`))
      await owner.db.execute(sql`drop function hold_insert()`)
      const ending = Date.now()
      while ((await heldInsertsInto(table)) > 0 && Date.now() - ending < 10_000) await sleep(50)
    }
  }

  it('sign-in says the database cannot be reached, not that the password is wrong, and works once it is back', async () => {
    const email = uniqueEmail()
    const ip = uniqueIp()
    expect(await submit(signUpAction, { name: 'Ada Lovelace', email, password: PASSWORD }, ip)).toEqual(signedIn)

    await unplug()
    // The right password: only the database can be the trouble.
    const refused = await submit(signInAction, { email, password: PASSWORD }, ip)
    expect(refused).toEqual({ state: { error: DATABASE_UNAVAILABLE_MESSAGE, values: { email } } })
    expect(JSON.stringify(refused)).not.toContain(INVALID_CREDENTIALS_MESSAGE)
    expect(current.cookies.has(SESSION_COOKIE)).toBe(false)

    await plug.on()
    expect(await submit(signInAction, { email, password: PASSWORD }, ip)).toEqual(signedIn)
    expect(current.cookies.has(SESSION_COOKIE)).toBe(true)
    // And a wrong password is still answered as one.
    expect(await submit(signInAction, { email, password: 'not the password' }, ip)).toEqual({
      state: { error: INVALID_CREDENTIALS_MESSAGE, values: { email } },
    })
  })

  it('sign-in failing on a query for another reason (a table missing) is our error, not a wrong password', async () => {
    const email = uniqueEmail()
    const ip = uniqueIp()
    expect(await submit(signUpAction, { name: 'Ada Lovelace', email, password: PASSWORD }, ip)).toEqual(signedIn)
    // As a database that was never migrated, or an app role missing a grant, looks to the app.
    await owner.db.execute(sql`alter table sign_in_failures rename to sign_in_failures_away`)
    let outcome: unknown
    try {
      outcome = await submit(signInAction, { email, password: PASSWORD }, ip).catch((error: unknown) => error)
    } finally {
      await owner.db.execute(sql`alter table sign_in_failures_away rename to sign_in_failures`)
    }
    expect(outcome).toBeInstanceOf(Error)
    expect(JSON.stringify(outcome)).not.toContain(INVALID_CREDENTIALS_MESSAGE)
    expect(current.cookies.has(SESSION_COOKIE)).toBe(false)
    expect(await submit(signInAction, { email, password: PASSWORD }, ip)).toEqual(signedIn)
  })

  it('sign-up refused at connect says nothing was saved, keeps name and email but not the password, and works once it is back', async () => {
    const email = uniqueEmail()
    const ip = uniqueIp()
    const fields = { name: 'Grace Hopper', email, password: PASSWORD }

    await unplug()
    const refused = await submit(signUpAction, fields, ip)
    expect(refused).toEqual({ state: { error: DATABASE_UNAVAILABLE_MESSAGE, values: { name: 'Grace Hopper', email } } })
    expect(JSON.stringify(refused)).not.toContain(PASSWORD)

    await plug.on()
    expect(await accountsWith(email)).toBe(0)
    expect(await submit(signUpAction, fields, ip)).toEqual(signedIn)
    expect(current.cookies.has(SESSION_COOKIE)).toBe(true)
    expect(await accountsWith(email)).toBe(1)
  })

  it('sign-up cut before its account INSERT was sent (counting its limit) says nothing was saved, not "may have been created"', async () => {
    // A connection cut under a statement gives the same error wherever it lands; only the
    // account's own INSERT may have created the account.
    const email = uniqueEmail()
    const fields = { name: 'Cut While Counting', email, password: PASSWORD }
    const cut = await signUpCutDuringInsertInto('sign_in_failures', fields)
    expect(cut).toEqual({
      state: { error: DATABASE_UNAVAILABLE_MESSAGE, values: { name: 'Cut While Counting', email } },
    })
    expect(JSON.stringify(cut)).not.toContain(PASSWORD)

    await plug.on()
    expect(await accountsWith(email)).toBe(0)
    expect(await submit(signUpAction, fields, uniqueIp())).toEqual(signedIn)
    expect(await accountsWith(email)).toBe(1)
  })

  it('sign-up cut after its account INSERT was sent says the account may have been created, and works once it is back', async () => {
    const email = uniqueEmail()
    const fields = { name: 'Cut Mid-Insert', email, password: PASSWORD }
    const cut = await signUpCutDuringInsertInto('users', fields)
    expect(cut).toEqual({ state: { error: SIGN_UP_UNCONFIRMED_MESSAGE, values: { name: 'Cut Mid-Insert', email } } })
    expect(JSON.stringify(cut)).not.toContain(PASSWORD)

    // Here the cut came before COMMIT, so the account was not created; the same form creates it
    // (had it committed, the form would say the address is taken, and signing in would work).
    await plug.on()
    expect(await accountsWith(email)).toBe(0)
    expect(await submit(signUpAction, fields, uniqueIp())).toEqual(signedIn)
    expect(current.cookies.has(SESSION_COOKIE)).toBe(true)
    expect(await accountsWith(email)).toBe(1)
  })
})
