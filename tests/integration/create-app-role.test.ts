// `npm run db:create-app-role` (scripts/create-app-role.mjs) against PostgreSQL
// (TEST_DATABASE_URL): the password it makes or is given, running it again, putting the role back
// to exactly its rights, the role names and databases it refuses, and the .env file it reads like
// db:migrate does. What the role it makes may and may not do: app-role.test.ts.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier, scramSha256Verifier } from '../../scripts/app-role.mjs'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const quiet = { max: 1, onnotice: () => {} }

/** Whether `verifier` (as in pg_authid) is the SCRAM-SHA-256 verifier of `password`. */
function verifies(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(verifier)
  if (!match) return false
  return (
    scramSha256Verifier(password, { iterations: Number(match[1]), salt: Buffer.from(match[2]!, 'base64') }) === verifier
  )
}

describe.runIf(serverUrl)('npm run db:create-app-role', () => {
  const run = promisify(execFile)
  const role = `signalbox_test_role_${process.pid}_${randomBytes(4).toString('hex')}`
  let database: ThrowawayPostgres
  let empty: ThrowawayPostgres
  let admin: postgres.Sql
  beforeAll(async () => {
    ;[database, empty] = await Promise.all([
      createThrowawayPostgres(serverUrl!),
      createThrowawayPostgres(serverUrl!, { migrated: false }),
    ])
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

  // The script reads .env in its working directory, so it runs in a folder of its own, never the
  // checkout's (a developer's own .env there would take part): empty, or with the .env a test writes.
  const scriptPath = fileURLToPath(new URL('../../scripts/create-app-role.mjs', import.meta.url))
  const folders: string[] = []
  const folder = (dotEnv?: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'create-app-role-'))
    folders.push(dir)
    if (dotEnv !== undefined) writeFileSync(path.join(dir, '.env'), dotEnv)
    return dir
  }
  afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true })
  })

  type Outcome = { code: number; output: string }
  const script = async (
    env: Record<string, string | undefined>,
    args = ['--role', role],
    cwd = folder(),
  ): Promise<Outcome> => {
    const options = {
      cwd,
      env: {
        ...process.env,
        DATABASE_URL: '',
        APP_DATABASE_PASSWORD: '',
        MIGRATION_DATABASE_URL: database.url,
        ...env,
      },
    }
    try {
      const { stdout, stderr } = await run(process.execPath, [scriptPath, ...args], options)
      return { code: 0, output: stdout + stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, output: failed.stdout + failed.stderr }
    }
  }
  const storedPassword = async () =>
    (await admin`select rolpassword from pg_authid where rolname = ${role}`)[0]?.rolpassword as string | undefined

  it('creates the role with a generated password, shown once inside the DATABASE_URL the app should use', async () => {
    const { code, output } = await script({})
    expect(code).toBe(0)
    const printed = new RegExp(
      `^postgres://${role}:([A-Za-z0-9_-]{43})@127\\.0\\.0\\.1:5432${new URL(database.url).pathname}$`,
      'm',
    ).exec(output)
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
      const [rights] =
        await admin`select has_table_privilege(${role}, 'later_feature', 'SELECT, INSERT, UPDATE, DELETE') as write,
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
    const { code, output } = await script({ MIGRATION_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere' }, [
      '--role',
      name,
    ])
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
      const { code, output } = await script({ APP_DATABASE_PASSWORD: 'a-password-of-some-length' }, [
        '--role',
        superuser,
      ])
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

  it('reads MIGRATION_DATABASE_URL from .env in the folder it runs in, like db:migrate, and never prints it', async () => {
    const cwd = folder(
      `# as cp .env.example .env leaves it, filled in\nDATABASE_URL=\nMIGRATION_DATABASE_URL=${database.url}\n`,
    )
    const { code, output } = await script(
      { MIGRATION_DATABASE_URL: undefined, DATABASE_URL: undefined },
      undefined,
      cwd,
    )
    expect(code, output).toBe(0)
    expect(output).toContain(`${role}: updated in 127.0.0.1:5432${new URL(database.url).pathname}`)
    expect(output).not.toContain(database.url)
  })

  it('takes a variable set in the environment over the one in .env, even an empty one', async () => {
    const nowhere = 'postgres://nobody@127.0.0.1:1/nowhere'
    const cwd = folder(`MIGRATION_DATABASE_URL=${nowhere}\nDATABASE_URL=${nowhere}\n`)
    const { code, output } = await script({ MIGRATION_DATABASE_URL: database.url }, undefined, cwd)
    expect(code, output).toBe(0)
    expect(output).toMatch(/updated in 127\.0\.0\.1:5432\//)
    // Empty in the environment: unset for the script, and the file's value does not fill it in.
    const unset = await script({ MIGRATION_DATABASE_URL: '', DATABASE_URL: '' }, undefined, cwd)
    expect(unset.code).toBe(1)
    expect(unset.output).toMatch(/set MIGRATION_DATABASE_URL \(or, with one role for everything, DATABASE_URL\)/)
  })

  it('without either URL, says to set MIGRATION_DATABASE_URL or DATABASE_URL, in the environment or .env', async () => {
    const { code, output } = await script({ MIGRATION_DATABASE_URL: undefined, DATABASE_URL: undefined })
    expect(code).toBe(1)
    expect(output).toMatch(
      /set MIGRATION_DATABASE_URL \(or, with one role for everything, DATABASE_URL\) .* in the environment or in \.env/,
    )
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
