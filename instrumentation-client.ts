// Runs in the browser before the app hydrates. Turbopack does not load sentry.client.config.ts
// on its own, so it is imported here.
import './sentry.client.config'

// Navigation spans for tracing (a no-op until the SDK has loaded, and without a DSN).
export { onRouterTransitionStart } from './lib/errors/client'
