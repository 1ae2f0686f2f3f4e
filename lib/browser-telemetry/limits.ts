// The beacon's contract in numbers, shared by the browser (which batches within them) and the
// server (which refuses what is past them). No imports: the browser loads this without zod.

/** Where the browser sends its telemetry (app/api/browser-events/route.ts). */
export const BROWSER_EVENTS_PATH = '/api/browser-events'
/** Larger bodies are refused (413) before parsing. A beacon of five vitals is about 1 KiB. */
export const MAX_BODY_BYTES = 16 * 1024
/** Entries per beacon; the browser sends at most this many at once. */
export const MAX_ENTRIES = 40
/** What the browser keeps of an error's message and stack before the server scrubs them. */
export const MAX_MESSAGE_LENGTH = 1000
export const MAX_STACK_LENGTH = 4000
/**
 * Web Vitals one client address may report per minute (each becomes a PostHog event on the
 * server's key). A page load reports five at most, and CLS and INP again after a back-forward
 * restore: 120 is some twenty page loads a minute from one address, a NAT'd office included.
 */
export const MAX_VITALS_PER_CLIENT_PER_MINUTE = 120
