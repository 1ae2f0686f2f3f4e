import { defineConfig } from 'drizzle-kit'
import { databaseTargetFrom } from './lib/db/url'

// drizzle-kit reads the same DATABASE_URL as the app: postgres://… for a server,
// pglite:<dir> / pglite:memory or unset for the embedded database under .data/.
if (!process.env.DATABASE_URL?.trim() && (process.env.NODE_ENV === 'production' || process.env.VERCEL)) {
  // Migrating the embedded database during a deploy would hide a missing DATABASE_URL.
  throw new Error('DATABASE_URL is not set: set it to the production database before running migrations.')
}
const target = databaseTargetFrom(process.env.DATABASE_URL)

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
