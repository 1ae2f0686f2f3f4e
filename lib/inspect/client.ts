// The local inspector's address, for pages and components in any runtime (the rest of the room is
// server code). Development only: `next build` inlines NODE_ENV, and production links nowhere.

/** Whether request IDs on pages open the inspector: `next dev` only. */
export const LINKS_TO_INSPECTOR = process.env.NODE_ENV === 'development'

/** Where a request ID opens in the inspector (app/dev/inspect). */
export function inspectorHref(requestId: string): string {
  return `/dev/inspect?request=${encodeURIComponent(requestId)}`
}
