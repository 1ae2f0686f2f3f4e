import { defineConfig } from 'drizzle-kit'
import { migrationTargetFrom } from './lib/db/url'

// drizzle-kit works on MIGRATION_DATABASE_URL (the role that owns the tables) when it is set,
// else on the app's DATABASE_URL: postgres://… for a server, pglite:<dir> / pglite:memory or
// unset for the embedded database under .data/. Outside development it refuses to guess.
const target = migrationTargetFrom(process.env)

export default defineConfig({
  schema: './lib/db/schema.ts',
  out: './drizzle',
  dialect: 'postgresql',
  ...(target.driver === 'postgres'
    ? { dbCredentials: { url: target.url } }
    : { driver: 'pglite', dbCredentials: { url: target.dataDir ?? 'memory://' } }),
  strict: true,
  verbose: true,
})
