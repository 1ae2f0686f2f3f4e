// `npm run db:create-app-role [-- --role <name>]`: creates the login role the app connects as, or
// brings an existing one back to exactly its rights (scripts/app-role.mjs says which). Run it as
// the role that owns the tables, after `npm run db:migrate`:
//   MIGRATION_DATABASE_URL  the owner's URL (else DATABASE_URL), the one db:migrate uses
//   APP_DATABASE_PASSWORD   the app role's password; unset: a new role gets a generated one,
//                           printed once inside its DATABASE_URL, and an existing role keeps its own
// Like db:migrate (drizzle-kit loads dotenv), it reads these from the environment, else from the
// .env file in the directory it runs in (npm runs it in the project's), when there is one.
// It never prints a password it was given, nor the owner's URL.
import postgres from 'postgres'
import { DEFAULT_APP_ROLE, appDatabaseUrl, assertRoleName, generatePassword, setUpAppRole } from './app-role.mjs'

function fail(message) {
  console.error(`db:create-app-role: ${message}`)
  process.exit(1)
}

function roleFromArguments(args) {
  let role = DEFAULT_APP_ROLE
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--role') role = args[++i]
    else if (arg.startsWith('--role=')) role = arg.slice('--role='.length)
    else fail(`unknown argument ${JSON.stringify(arg)}; usage: npm run db:create-app-role [-- --role <name>]`)
  }
  return role
}

function describe(url) {
  const u = new URL(url)
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`
}

/**
 * Adds the variables of `.env` in the working directory to process.env, as drizzle-kit's dotenv
 * does for db:migrate: a variable already in the environment, even empty, keeps its value.
 */
function loadDotEnv() {
  try {
    process.loadEnvFile('.env')
  } catch (error) {
    if (error?.code === 'ENOENT') return // no .env: the environment alone
    fail(`cannot read .env in ${process.cwd()}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

async function main() {
  loadDotEnv()
  const role = roleFromArguments(process.argv.slice(2))
  try {
    assertRoleName(role)
  } catch (error) {
    fail(error.message)
  }
  const ownerUrl = process.env.MIGRATION_DATABASE_URL?.trim() || process.env.DATABASE_URL?.trim()
  if (!ownerUrl)
    fail(
      'set MIGRATION_DATABASE_URL (or, with one role for everything, DATABASE_URL) to the URL of the role that owns the tables, the one `npm run db:migrate` uses, in the environment or in .env',
    )
  if (!/^postgres(ql)?:\/\//.test(ownerUrl)) {
    fail(
      'this needs a postgres:// URL. PGlite has a single user, so there is no app role to create; its trigger keeps audit_log append-only',
    )
  }
  const given = process.env.APP_DATABASE_PASSWORD
  const sql = postgres(ownerUrl, { max: 1, connect_timeout: 10, onnotice: () => {} })
  try {
    const [existing] = await sql`select 1 from pg_roles where rolname = ${role}`
    const generated = !given?.trim() && !existing ? generatePassword() : undefined
    const result = await setUpAppRole(sql, { role, password: given?.trim() ? given : generated })

    const lines = [
      `${role}: ${result.created ? 'created' : 'updated'} in ${describe(ownerUrl)}, a login role with no other attribute; the tables' owner is ${result.owner}`,
      `  SELECT, INSERT, UPDATE, DELETE on ${result.readWrite.join(', ') || '(no table)'}`,
      `  SELECT, INSERT only on ${result.appendOnly.join(', ')}`,
      ...(result.sequences.length > 0 ? [`  USAGE, SELECT on ${result.sequences.join(', ')}`] : []),
      `  tables ${result.owner} creates later in public get SELECT, INSERT, UPDATE, DELETE (default privileges)`,
      `  ${Object.entries(result.settings)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')} (for its new connections)`,
      ...result.warnings.map((warning) => `warning: ${warning}`),
    ]
    if (generated) {
      lines.push(
        '',
        'Its password was generated and is shown only now. Set the app’s DATABASE_URL to:',
        appDatabaseUrl(ownerUrl, role, generated),
      )
    } else if (result.passwordSet) {
      const shape = appDatabaseUrl(ownerUrl, role, 'PASSWORD_HERE').replace(
        'PASSWORD_HERE',
        '<APP_DATABASE_PASSWORD, percent-encoded>',
      )
      lines.push('', 'Its password is APP_DATABASE_PASSWORD. Set the app’s DATABASE_URL to:', shape)
    } else {
      lines.push('', 'Its password is unchanged (set APP_DATABASE_PASSWORD to change it).')
    }
    console.log(lines.join('\n'))
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error))
  } finally {
    await sql.end({ timeout: 5 })
  }
}

await main()
