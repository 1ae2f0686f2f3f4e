// The role the app connects as on PostgreSQL (TEST_DATABASE_URL), set up by
// `npm run db:create-app-role`: it can add to and read the audit log and write the app's other
// tables, and everything someone holding the app's credentials might try in order to rewrite
// history fails. Then the script itself: passwords, idempotence, hostile role names.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier, scramSha256Verifier } from '../../scripts/app-role.mjs'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const quiet = { max: 1, onnotice: () => {} }

type PgError = Error & { code?: string }
const failureOf = (query: Promise<unknown>) => query.then(() => undefined, (error: PgError) => error)

/** Whether `verifier` (as in pg_authid) is the SCRAM-SHA-256 verifier of `password`. */
function verifies(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier)
  if (!match) return false
  return scramSha256Verifier(password, { iterations: Number(match[1]), salt: Buffer.from(match[2]!, 'base64') }) === verifier
}

describe.runIf(serverUrl)('the app role on PostgreSQL', () => {
  let database: ThrowawayPostgres
  let app: postgres.Sql
  let owner: postgres.Sql
  beforeAll(async () => {
    database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    app = postgres(database.appUrl!, quiet)
    owner = postgres(database.url, quiet)
    await owner`insert into audit_log (action, request_id) values ('user.signed_in', 'req-history')`
  })
  afterAll(async () => {
    await app?.end()
    await owner?.end()
    await database?.drop()
  })

  it('connects as its own role, which is not the owner and has no attribute but LOGIN', async () => {
    const [who] = await app`select current_user as role, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
      from pg_roles where rolname = current_user`
    expect(who).toEqual({ role: database.appRole, rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false })
    const [table] = await app`select tableowner from pg_tables where tablename = 'audit_log'`
    expect(table?.tableowner).not.toBe(database.appRole)
  })

  it('inserts into audit_log and reads it', async () => {
    await app`insert into audit_log (action, request_id) values ('customer.created', 'req-app-insert')`
    const rows = await app`select action from audit_log where request_id in ('req-app-insert', 'req-history') order by action`
    expect(rows.map((row) => row.action)).toEqual(['customer.created', 'user.signed_in'])
  })

  // Each is refused with insufficient_privilege (42501), by the privilege system, not the trigger.
  it.each([
    ['update a row', `update audit_log set action = 'tampered' where request_id = 'req-history'`, /permission denied for table audit_log/],
    ['delete a row', `delete from audit_log where request_id = 'req-history'`, /permission denied for table audit_log/],
    ['truncate the table', 'truncate audit_log', /permission denied for table audit_log/],
    ['disable the append-only trigger', 'alter table audit_log disable trigger audit_log_no_update_or_delete', /must be owner of table audit_log/],
    ['disable every trigger', 'alter table audit_log disable trigger all', /must be owner of table audit_log/],
    ['drop the append-only trigger', 'drop trigger audit_log_no_update_or_delete on audit_log', /must be owner of relation audit_log/],
    ['drop the truncate trigger', 'drop trigger audit_log_no_truncate on audit_log', /must be owner of relation audit_log/],
    ['replace the trigger function with one that allows everything', `create or replace function audit_log_refuse_change() returns trigger language plpgsql as $$ begin return coalesce(new, old); end $$`, /permission denied for schema public|must be owner of function/],
    ['drop the trigger function', 'drop function audit_log_refuse_change() cascade', /must be owner of function/],
    ['drop the table', 'drop table audit_log', /must be owner of table audit_log/],
    ['rename the table away', 'alter table audit_log rename to audit_log_old', /must be owner of table audit_log/],
    ['take the table over', 'alter table audit_log owner to current_user', /must be owner of table audit_log/],
    ['switch off triggers for its session', 'set session_replication_role = replica', /permission denied to set parameter/],
    ['create a table of its own', 'create table audit_log_copy (id int)', /permission denied for schema public/],
    ["read drizzle's migration bookkeeping", 'select * from drizzle.__drizzle_migrations', /permission denied for schema drizzle/],
  ])('cannot %s', async (_what, statement, reason) => {
    const failure = await failureOf(app.unsafe(statement))
    expect(failure?.message).toMatch(reason)
    expect(failure?.code).toBe('42501')
  })

  it('cannot become the owner', async () => {
    const [table] = await owner`select tableowner from pg_tables where tablename = 'audit_log'`
    const failure = await failureOf(app.unsafe(`set role ${quoteIdentifier(table!.tableowner)}`))
    expect(failure?.message).toMatch(/permission denied to set role/)
    expect(failure?.code).toBe('42501')
  })

  it('granting itself UPDATE, DELETE or TRUNCATE on audit_log grants nothing', async () => {
    await app.unsafe('grant update, delete, truncate on audit_log to current_user') // PostgreSQL only warns
    const [rights] = await app`select has_table_privilege('audit_log', 'UPDATE') as u, has_table_privilege('audit_log', 'DELETE') as d,
      has_table_privilege('audit_log', 'TRUNCATE') as t`
    expect(rights).toEqual({ u: false, d: false, t: false })
  })

  it('none of that changed the history: the row, the table and both triggers are intact', async () => {
    const rows = await owner`select action from audit_log where request_id = 'req-history'`
    expect(rows.map((row) => row.action)).toEqual(['user.signed_in'])
    const triggers = await owner`select tgname, tgenabled from pg_trigger where tgrelid = 'audit_log'::regclass order by tgname`
    expect(triggers.map((t) => [t.tgname, t.tgenabled])).toEqual([
      ['audit_log_no_truncate', 'O'],
      ['audit_log_no_update_or_delete', 'O'],
    ])
  })

  it('writes every other table the app writes (insert, update, delete)', async () => {
    await app.begin(async (tx) => {
      const [org] = await tx`insert into organizations (name) values ('Org') returning id`
      const [user] = await tx`insert into users (name, email) values ('Ada', ${`ada-${randomBytes(3).toString('hex')}@example.test`}) returning id`
      await tx`insert into memberships (org_id, user_id, role) values (${org!.id}, ${user!.id}, 'owner')`
      await tx`insert into customers (org_id, name, email, source) values (${org!.id}, 'C', 'c@example.test', 'manual')`
      await tx`insert into accounts (user_id, type, provider, provider_account_id) values (${user!.id}, 'oauth', 'github', '1')`
      await tx`insert into sessions (session_token, user_id, expires) values ('t', ${user!.id}, now() + interval '1 day')`
      await tx`insert into verification_tokens (identifier, token, expires) values ('i', 't', now())`
      await tx`insert into sign_in_failures (key) values ('k')`
      await tx`update organizations set name = 'Org 2' where id = ${org!.id}`
      await tx`update users set name = 'Ada L' where id = ${user!.id}`
      await tx`update memberships set role = 'member' where user_id = ${user!.id}`
      await tx`update customers set name = 'C2' where org_id = ${org!.id}`
      await tx`update accounts set access_token = 'x' where user_id = ${user!.id}`
      await tx`update sessions set expires = now() where user_id = ${user!.id}`
      await tx`update verification_tokens set expires = now() where identifier = 'i'`
      await tx`update sign_in_failures set key = 'k2' where key = 'k'`
      for (const table of ['customers', 'memberships', 'accounts', 'sessions', 'verification_tokens', 'sign_in_failures', 'organizations', 'users']) {
        const deleted = await tx.unsafe(`delete from ${table}`)
        expect(deleted.count, table).toBe(1)
      }
    })
  })
})

describe.runIf(serverUrl)('npm run db:create-app-role', () => {
  const run = promisify(execFile)
  const role = `signalbox_test_role_${process.pid}_${randomBytes(4).toString('hex')}`
  let database: ThrowawayPostgres
  let empty: ThrowawayPostgres
  let admin: postgres.Sql
  beforeAll(async () => {
    ;[database, empty] = await Promise.all([createThrowawayPostgres(serverUrl!), createThrowawayPostgres(serverUrl!, { migrated: false })])
    admin = postgres(database.url, quiet)
  })
  afterAll(async () => {
    await admin?.end()
    await Promise.all([database?.drop(), empty?.drop()])
    // The role's grants lived in the databases just dropped; the role itself is the cluster's.
    const server = postgres(serverUrl!, quiet)
    await server.unsafe(`drop role if exists "${role}"`)
    await server.end()
  })

  type Outcome = { code: number; output: string }
  const script = async (env: Record<string, string>, args = ['--role', role]): Promise<Outcome> => {
    const options = { env: { ...process.env, DATABASE_URL: '', APP_DATABASE_PASSWORD: '', MIGRATION_DATABASE_URL: database.url, ...env } }
    try {
      const { stdout, stderr } = await run('node', ['scripts/create-app-role.mjs', ...args], options)
      return { code: 0, output: stdout + stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, output: failed.stdout + failed.stderr }
    }
  }
  const storedPassword = async () => (await admin`select rolpassword from pg_authid where rolname = ${role}`)[0]?.rolpassword as string | undefined

  it('creates the role with a generated password, shown once inside the DATABASE_URL the app should use', async () => {
    const { code, output } = await script({})
    expect(code).toBe(0)
    const printed = new RegExp(`^postgres://${role}:([A-Za-z0-9_-]{43})@127\\.0\\.0\\.1:5432${new URL(database.url).pathname}$`, 'm').exec(output)
    expect(printed, output).not.toBeNull()
    const password = printed![1]!
    const verifier = await storedPassword()
    expect(verifier).not.toContain(password)
    expect(verifies(verifier!, password)).toBe(true)
    expect(output).toMatch(/SELECT, INSERT only on audit_log/)

    const client = postgres(printed![0], quiet)
    const [who] = await client`select current_user as role`
    await client.end()
    expect(who?.role).toBe(role)
  })

  it('run again without a password, keeps the password and says so', async () => {
    const before = await storedPassword()
    const { code, output } = await script({})
    expect(code).toBe(0)
    expect(output).toMatch(/password is unchanged/)
    expect(output).not.toMatch(/postgres:\/\/[^ ]*:[^ ]*@/)
    expect(await storedPassword()).toBe(before)
  })

  it('with APP_DATABASE_PASSWORD, sets that password and never prints it', async () => {
    const password = `given-${randomBytes(12).toString('hex')}`
    const { code, output } = await script({ APP_DATABASE_PASSWORD: password })
    expect(code).toBe(0)
    expect(output).not.toContain(password)
    expect(output).toContain(`postgres://${role}:<APP_DATABASE_PASSWORD, percent-encoded>@127.0.0.1:5432/`)
    expect(verifies((await storedPassword())!, password)).toBe(true)
  })

  it('puts the role back to exactly its rights: what was granted by hand since is taken away', async () => {
    await admin.unsafe(`grant update, delete, truncate, trigger on audit_log to "${role}"`)
    await admin.unsafe(`grant usage on schema drizzle to "${role}"`)
    await admin.unsafe(`grant select on drizzle.__drizzle_migrations to "${role}"`)
    await admin.unsafe(`alter role "${role}" createdb createrole`)
    expect((await script({})).code).toBe(0)
    const [rights] = await admin`select
      has_table_privilege(${role}, 'audit_log', 'SELECT, INSERT') as append,
      has_table_privilege(${role}, 'audit_log', 'UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES') as rewrite,
      has_schema_privilege(${role}, 'drizzle', 'USAGE') as bookkeeping,
      (select rolcreatedb or rolcreaterole from pg_roles where rolname = ${role}) as attributes`
    expect(rights).toEqual({ append: true, rewrite: false, bookkeeping: false, attributes: false })
  })

  it('tables the owner creates in later migrations get the same rights (default privileges)', async () => {
    await admin.unsafe('create table later_feature (id int)')
    try {
      const [rights] = await admin`select has_table_privilege(${role}, 'later_feature', 'SELECT, INSERT, UPDATE, DELETE') as write,
        has_table_privilege(${role}, 'later_feature', 'TRUNCATE') as truncate`
      expect(rights).toEqual({ write: true, truncate: false })
    } finally {
      await admin.unsafe('drop table later_feature')
    }
  })

  it.each([
    ['an injection attempt', 'x"; drop table audit_log; --'],
    ['a quoted name', '"signalbox_app"'],
    ['capitals (PostgreSQL would fold them)', 'SignalboxApp'],
    ["the system's prefix", 'pg_app'],
    ['an empty name', ''],
  ])('refuses %s as the role name, before connecting', async (_what, name) => {
    const { code, output } = await script({ MIGRATION_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' }, ['--role', name])
    expect(code).toBe(1)
    expect(output).toMatch(/role name must be/)
  })

  it('refuses the tables’ owner as the app role, and leaves it as it was', async () => {
    const [me] = await admin`select current_user as name, rolsuper from pg_roles where rolname = current_user`
    const { code, output } = await script({}, ['--role', me!.name])
    expect(code).toBe(1)
    expect(output).toMatch(/owns the app's tables/)
    const [after] = await admin`select rolsuper from pg_roles where rolname = ${me!.name}`
    expect(after?.rolsuper).toBe(me!.rolsuper)
  })

  it('refuses an existing superuser as the app role rather than demote it', async () => {
    const superuser = `${role}_super`
    await admin.unsafe(`create role ${quoteIdentifier(superuser)} superuser`)
    try {
      const { code, output } = await script({ APP_DATABASE_PASSWORD: 'a-password-of-some-length' }, ['--role', superuser])
      expect(code).toBe(1)
      expect(output).toMatch(/is a superuser/)
      const [after] = await admin`select rolsuper from pg_roles where rolname = ${superuser}`
      expect(after?.rolsuper).toBe(true)
    } finally {
      await admin.unsafe(`drop role ${quoteIdentifier(superuser)}`)
    }
  })

  it('refuses a role that is a member of the owner: it would act as the owner', async () => {
    const [me] = await admin`select current_user as name`
    await admin.unsafe(`grant ${quoteIdentifier(me!.name)} to ${quoteIdentifier(role)}`)
    try {
      const { code, output } = await script({})
      expect(code).toBe(1)
      expect(output).toMatch(/is a member of/)
    } finally {
      await admin.unsafe(`revoke ${quoteIdentifier(me!.name)} from ${quoteIdentifier(role)}`)
    }
  })

  it('refuses to run before the migrations, and creates nothing', async () => {
    const other = `${role}_x`
    const { code, output } = await script({ MIGRATION_DATABASE_URL: empty.url }, ['--role', other])
    expect(code).toBe(1)
    expect(output).toMatch(/run `npm run db:migrate`/)
    expect(await admin`select 1 from pg_roles where rolname = ${other}`).toHaveLength(0)
  })

  it('refuses PGlite, which has one user and keeps only the trigger', async () => {
    const { code, output } = await script({ MIGRATION_DATABASE_URL: 'pglite:memory' })
    expect(code).toBe(1)
    expect(output).toMatch(/PGlite has a single user/)
  })

  it('sends the server the same SCRAM-SHA-256 verifier the server computes for that password', async () => {
    const probe = `${role}_scram`
    // Rolled back: the server hashes a plain password here only to compare, and keeps nothing.
    const verifier = await admin
      .begin(async (tx) => {
        await tx.unsafe(`create role "${probe}" password 'correct horse battery staple'`)
        const [row] = await tx`select rolpassword from pg_authid where rolname = ${probe}`
        throw Object.assign(new Error('rollback'), { verifier: row?.rolpassword as string })
      })
      .catch((error: { verifier?: string }) => error.verifier)
    expect(verifier).toMatch(/^SCRAM-SHA-256\$/)
    expect(verifies(verifier!, 'correct horse battery staple')).toBe(true)
    expect(verifies(verifier!, 'correct horse battery stapler')).toBe(false)
  })
})
