import 'server-only'
import { EnvError, parseEnv } from './env'
import { getDb } from './db'

/**
 * Called from instrumentation.ts when a Node server starts. A production server with a
 * missing or invalid variable stops here with one line per problem, instead of failing later
 * on a request (or writing data to an ephemeral disk). Then the database is opened in the
 * background, so the embedded database's boot and migrations do not land on the first request.
 */
export function startNodeServer(): void {
  try {
    parseEnv()
  } catch (error) {
    if (!(error instanceof EnvError)) throw error
    for (const line of error.message.split('\n')) console.error(`Signalbox cannot start: ${line}`)
    process.exit(1)
  }
  if (process.env.NEXT_PHASE !== 'phase-production-build') {
    getDb().catch((error: unknown) => console.error('Signalbox: opening the database failed', error))
  }
}
