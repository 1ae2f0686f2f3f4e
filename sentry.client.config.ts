// Sentry for the browser, imported by instrumentation-client.ts (Turbopack does not load this
// file on its own). No DSN at build time (and, in development, no Spotlight) → nothing is
// loaded and no request is made.
import { startErrorTracking } from './lib/errors/client'

startErrorTracking()
