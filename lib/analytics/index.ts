// The analytics room's server entry point (the browser's is client.ts): track() for server
// code, and what the rest of the server needs from the one PostHog client this room owns.
import 'server-only'

export { track, type EventName, type EventProps } from './server'
export { FEATURES, type Feature } from './events'
export { isPostHogTimeout, postHogFlags, shutdownAnalytics } from './posthog'
export { forwardToPostHog } from './ingest'
export { drainAnalytics } from './pending-sends'
