// The app's own PostgreSQL role: it may read and write the app's tables but only add to and
// read audit_log, and it owns nothing, so it cannot drop the append-only trigger either.
// Plain JavaScript and postgres.js: `npm run db:create-app-role` (scripts/create-app-role.mjs)
// and the tests' throwaway databases (tests/support/postgres.mjs) both run this one module.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

export const DEFAULT_APP_ROLE = 'signalbox_app'

/** The schema the migrations create the app's tables in. */
const SCHEMA = 'public'

/** Tables the app may only insert into and read. */
export const APPEND_ONLY_TABLES = ['audit_log']

/**
 * Session defaults for the app role, so no request waits on the database without end. Without
 * them a migration (or a forgotten psql session) holding a lock on a table hung every request
 * that read it, for as long as the lock was held. Set on the role, not by the app when it
 * connects: poolers such as PgBouncer and Neon's refuse those as startup parameters
 * ("unsupported startup parameter"). The owner role that runs migrations keeps its own defaults.
 * - lock_timeout: a statement waiting this long for a lock gives up (SQLSTATE 55P03), and its
 *   request is answered 503 with Retry-After (lib/db/unavailable.ts), well before a client or
 *   proxy gives up on it.
 * - statement_timeout: no statement runs longer (57014), lock waits included; a query that
 *   needs more is a bug or an overloaded database either way.
 * - idle_in_transaction_session_timeout: a connection left idle inside a transaction (a process
 *   stuck mid-transaction) is closed and its locks released.
 */
export const APP_ROLE_SETTINGS = {
  lock_timeout: '3s',
  statement_timeout: '10s',
  idle_in_transaction_session_timeout: '30s',
}

const READ_WRITE = 'SELECT, INSERT, UPDATE, DELETE'
const APPEND_ONLY = 'SELECT, INSERT'

/**
 * Lowercase letters, digits and underscores, as PostgreSQL folds unquoted names, so the name in
 * DATABASE_URL is the name in the catalog. `pg_` is reserved for the system.
 */
export function assertRoleName(name) {
  if (typeof name !== 'string' || !/^[a-z_][a-z0-9_]{0,62}$/.test(name) || name.startsWith('pg_')) {
    throw new Error(
      'the role name must be 1 to 63 lowercase letters, digits or underscores, start with a letter or underscore, and not start with pg_',
    )
  }
}

/** A safely quoted SQL identifier (names from the catalog are quoted too, never trusted). */
export function quoteIdentifier(name) {
  return `"${String(name).replaceAll('"', '""')}"`
}

/** A password for the app role: 256 random bits, URL-safe so it fits in DATABASE_URL as is. */
export function generatePassword() {
  return randomBytes(32).toString('base64url')
}

/**
 * Printable ASCII only: for those characters SASLprep changes nothing, so the verifier below is
 * the one the server would compute, and the password survives being put in a URL.
 */
export function assertPassword(password) {
  if (typeof password !== 'string' || password.length < 16 || !/^[\x20-\x7e]+$/.test(password)) {
    throw new Error('the password must be at least 16 printable ASCII characters')
  }
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677), as psql's
 * \password sends it: the server is given the verifier, never the password, so the password
 * cannot end up in the server's statement log.
 */
export function scramSha256Verifier(password, { salt = randomBytes(16), iterations = 4096 } = {}) {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const clientKey = createHmac('sha256', salted).update('Client Key').digest()
  const storedKey = createHash('sha256').update(clientKey).digest('base64')
  const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64')
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey}:${serverKey}`
}

/**
 * Creates `role` (or brings an existing one back to exactly these rights), in one transaction,
 * connected as the role that owns the app's tables (the one `npm run db:migrate` runs as):
 * - LOGIN and no other attribute (no superuser, CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS);
 * - USAGE on the schema; SELECT, INSERT, UPDATE, DELETE on each of the owner's tables in it,
 *   except SELECT, INSERT on audit_log; USAGE, SELECT on its sequences; nothing else (no
 *   TRUNCATE, REFERENCES or TRIGGER, and nothing on drizzle's migration bookkeeping);
 * - default privileges, so tables the owner creates in later migrations get the same rights;
 * - the session defaults in APP_ROLE_SETTINGS (they apply to connections opened afterwards).
 * `password` undefined keeps an existing role's password; a new role needs one.
 *
 * @param {import('postgres').Sql} sql a connection as the tables' owner (or a superuser)
 * @param {{ role: string, password?: string }} options
 */
export async function setUpAppRole(sql, { role, password }) {
  assertRoleName(role)
  if (password !== undefined) assertPassword(password)
  const verifier = password === undefined ? undefined : scramSha256Verifier(password)
  const r = quoteIdentifier(role)

  return sql.begin(async (tx) => {
    const [auditTable] = await tx`
      select pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${SCHEMA} and c.relname = 'audit_log' and c.relkind in ('r', 'p')`
    // The owner is read from the migrated tables: without them, default privileges would be set
    // for the wrong role and a later audit_log would be created with UPDATE and DELETE granted.
    if (!auditTable) throw new Error('audit_log does not exist here: run `npm run db:migrate` with the same URL first')
    const owner = auditTable.owner
    if (role === owner) throw new Error(`${role} owns the app's tables: the app role must be another role`)
    const [session] = await tx`select current_user as current, session_user as session`
    if (role === session.current || role === session.session)
      throw new Error(`${role} is the role running this: the app role must be another role`)

    const [existing] = await tx`
      select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin, rolconfig
      from pg_roles where rolname = ${role}`
    if (!existing && verifier === undefined) throw new Error('a new role needs a password')
    // Taking SUPERUSER away from some other role because of a typo would be worse than stopping.
    if (existing?.rolsuper) throw new Error(`${role} is a superuser: choose another name for the app role`)
    const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'
    if (!existing) {
      await tx.unsafe(`CREATE ROLE ${r} ${attributes} PASSWORD '${verifier}'`)
    } else {
      const extra = existing.rolcreatedb || existing.rolcreaterole || existing.rolreplication || existing.rolbypassrls
      // Only when something is off, so re-running needs no CREATEROLE when nothing changes.
      if (extra || !existing.rolcanlogin) await tx.unsafe(`ALTER ROLE ${r} ${attributes}`)
      if (verifier !== undefined) await tx.unsafe(`ALTER ROLE ${r} PASSWORD '${verifier}'`)
    }

    // Only those that differ, so re-running needs no CREATEROLE when nothing changes. The value is
    // a literal of ours, never input; rolconfig holds each as `name=value`, as it was set.
    const config = new Set(existing?.rolconfig ?? [])
    for (const [name, value] of Object.entries(APP_ROLE_SETTINGS)) {
      if (!config.has(`${name}=${value}`)) await tx.unsafe(`ALTER ROLE ${r} SET ${name} = '${value}'`)
    }

    // A member of the owner role acts as the owner: no grant below would mean anything.
    const [membership] = await tx`select pg_has_role(${role}, ${owner}, 'MEMBER') as member`
    if (membership.member)
      throw new Error(`${role} is a member of ${owner}, which owns the tables: revoke that membership first`)

    // Everyone may connect unless the database's owner revoked it from PUBLIC; only then grant it
    // (which needs that owner), so the common case needs no rights on the database itself.
    const [database] =
      await tx`select current_database() as name, has_database_privilege(${role}, current_database(), 'CONNECT') as connect`
    if (!database.connect) await tx.unsafe(`GRANT CONNECT ON DATABASE ${quoteIdentifier(database.name)} TO ${r}`)
    await tx.unsafe(`GRANT USAGE ON SCHEMA ${quoteIdentifier(SCHEMA)} TO ${r}`)

    const relations = await tx`
      select c.relname as name, c.relkind as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and pg_get_userbyid(c.relowner) = ${owner}
      order by c.relname`
    const tables = { readWrite: [], appendOnly: [], sequences: [] }
    for (const { name, kind } of relations) {
      const target = `${quoteIdentifier(SCHEMA)}.${quoteIdentifier(name)}`
      // Start from nothing, so a right granted by hand or by an older version does not survive.
      await tx.unsafe(`REVOKE ALL ON ${kind === 'S' ? 'SEQUENCE' : 'TABLE'} ${target} FROM ${r}`)
      if (kind === 'S') {
        await tx.unsafe(`GRANT USAGE, SELECT ON SEQUENCE ${target} TO ${r}`)
        tables.sequences.push(name)
      } else if (APPEND_ONLY_TABLES.includes(name)) {
        await tx.unsafe(`GRANT ${APPEND_ONLY} ON TABLE ${target} TO ${r}`)
        tables.appendOnly.push(name)
      } else {
        await tx.unsafe(`GRANT ${READ_WRITE} ON TABLE ${target} TO ${r}`)
        tables.readWrite.push(name)
      }
    }

    const forOwner = `FOR ROLE ${quoteIdentifier(owner)} IN SCHEMA ${quoteIdentifier(SCHEMA)}`
    await tx.unsafe(`ALTER DEFAULT PRIVILEGES ${forOwner} REVOKE ALL ON TABLES FROM ${r}`)
    await tx.unsafe(`ALTER DEFAULT PRIVILEGES ${forOwner} REVOKE ALL ON SEQUENCES FROM ${r}`)
    await tx.unsafe(`ALTER DEFAULT PRIVILEGES ${forOwner} GRANT ${READ_WRITE} ON TABLES TO ${r}`)
    await tx.unsafe(`ALTER DEFAULT PRIVILEGES ${forOwner} GRANT USAGE, SELECT ON SEQUENCES TO ${r}`)

    // drizzle-kit's bookkeeping: the app never needs it, so whatever was granted goes.
    const [bookkeeping] = await tx`select 1 as present from pg_namespace where nspname = 'drizzle'`
    if (bookkeeping) {
      await tx.unsafe(`REVOKE ALL ON ALL TABLES IN SCHEMA drizzle FROM ${r}`)
      await tx.unsafe(`REVOKE ALL ON SCHEMA drizzle FROM ${r}`)
    }

    const warnings = []
    const [schema] = await tx`select has_schema_privilege(${role}, ${SCHEMA}, 'CREATE') as create`
    // PostgreSQL 14 and older grant CREATE on public to everyone; that is not this role's grant.
    if (schema.create) {
      warnings.push(
        `${role} can create objects in schema ${SCHEMA} (PostgreSQL before 15 lets every role): consider REVOKE CREATE ON SCHEMA ${SCHEMA} FROM PUBLIC`,
      )
    }
    const settings = { ...APP_ROLE_SETTINGS }
    return { role, owner, created: !existing, passwordSet: verifier !== undefined, ...tables, settings, warnings }
  })
}

/**
 * `ownerUrl` with the app role's name and password in place of the owner's: what the app's
 * DATABASE_URL should be (same host, database and options).
 */
export function appDatabaseUrl(ownerUrl, role, password) {
  const url = new URL(ownerUrl)
  url.username = role
  url.password = password
  for (const key of ['user', 'username', 'password', 'pass']) url.searchParams.delete(key)
  return url.toString()
}
