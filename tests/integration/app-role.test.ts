// The role the app connects as on PostgreSQL (TEST_DATABASE_URL), set up by
// `npm run db:create-app-role`: it can add to and read the audit log and write the app's other
// tables, and everything someone holding the app's credentials might try in order to rewrite
// history fails. The script itself (passwords, idempotence, hostile role names):
// create-app-role.test.ts.
import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier } from '../../scripts/app-role.mjs'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const quiet = { max: 1, onnotice: () => {} }

type PgError = Error & { code?: string }
const failureOf = (query: Promise<unknown>) =>
  query.then(
    () => undefined,
    (error: PgError) => error,
  )

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
    const [who] =
      await app`select current_user as role, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls
      from pg_roles where rolname = current_user`
    expect(who).toEqual({
      role: database.appRole,
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolreplication: false,
      rolbypassrls: false,
    })
    const [table] = await app`select tableowner from pg_tables where tablename = 'audit_log'`
    expect(table?.tableowner).not.toBe(database.appRole)
  })

  it('inserts into audit_log and reads it', async () => {
    await app`insert into audit_log (action, request_id) values ('customer.created', 'req-app-insert')`
    const rows =
      await app`select action from audit_log where request_id in ('req-app-insert', 'req-history') order by action`
    expect(rows.map((row) => row.action)).toEqual(['customer.created', 'user.signed_in'])
  })

  // Each is refused with insufficient_privilege (42501), by the privilege system, not the trigger.
  it.each([
    [
      'update a row',
      `update audit_log set action = 'tampered' where request_id = 'req-history'`,
      /permission denied for table audit_log/,
    ],
    ['delete a row', `delete from audit_log where request_id = 'req-history'`, /permission denied for table audit_log/],
    ['truncate the table', 'truncate audit_log', /permission denied for table audit_log/],
    [
      'disable the append-only trigger',
      'alter table audit_log disable trigger audit_log_no_update_or_delete',
      /must be owner of table audit_log/,
    ],
    ['disable every trigger', 'alter table audit_log disable trigger all', /must be owner of table audit_log/],
    [
      'drop the append-only trigger',
      'drop trigger audit_log_no_update_or_delete on audit_log',
      /must be owner of relation audit_log/,
    ],
    [
      'drop the truncate trigger',
      'drop trigger audit_log_no_truncate on audit_log',
      /must be owner of relation audit_log/,
    ],
    [
      'replace the trigger function with one that allows everything',
      `create or replace function audit_log_refuse_change() returns trigger language plpgsql as $$ begin return coalesce(new, old); end $$`,
      /permission denied for schema public|must be owner of function/,
    ],
    ['drop the trigger function', 'drop function audit_log_refuse_change() cascade', /must be owner of function/],
    ['drop the table', 'drop table audit_log', /must be owner of table audit_log/],
    ['rename the table away', 'alter table audit_log rename to audit_log_old', /must be owner of table audit_log/],
    ['take the table over', 'alter table audit_log owner to current_user', /must be owner of table audit_log/],
    [
      'switch off triggers for its session',
      'set session_replication_role = replica',
      /permission denied to set parameter/,
    ],
    ['create a table of its own', 'create table audit_log_copy (id int)', /permission denied for schema public/],
    [
      "read drizzle's migration bookkeeping",
      'select * from drizzle.__drizzle_migrations',
      /permission denied for schema drizzle/,
    ],
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
    const [rights] =
      await app`select has_table_privilege('audit_log', 'UPDATE') as u, has_table_privilege('audit_log', 'DELETE') as d,
      has_table_privilege('audit_log', 'TRUNCATE') as t`
    expect(rights).toEqual({ u: false, d: false, t: false })
  })

  it('none of that changed the history: the row, the table and both triggers are intact', async () => {
    const rows = await owner`select action from audit_log where request_id = 'req-history'`
    expect(rows.map((row) => row.action)).toEqual(['user.signed_in'])
    const triggers =
      await owner`select tgname, tgenabled from pg_trigger where tgrelid = 'audit_log'::regclass order by tgname`
    expect(triggers.map((t) => [t.tgname, t.tgenabled])).toEqual([
      ['audit_log_no_truncate', 'O'],
      ['audit_log_no_update_or_delete', 'O'],
    ])
  })

  it('writes every other table the app writes (insert, update, delete)', async () => {
    await app.begin(async (tx) => {
      const [org] = await tx`insert into organizations (name) values ('Org') returning id`
      const [user] =
        await tx`insert into users (name, email) values ('Ada', ${`ada-${randomBytes(3).toString('hex')}@example.test`}) returning id`
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
      for (const table of [
        'customers',
        'memberships',
        'accounts',
        'sessions',
        'verification_tokens',
        'sign_in_failures',
        'organizations',
        'users',
      ]) {
        const deleted = await tx.unsafe(`delete from ${table}`)
        expect(deleted.count, table).toBe(1)
      }
    })
  })
})
