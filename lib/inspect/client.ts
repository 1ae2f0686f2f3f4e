// The local inspector's address, for pages and components in any runtime (the rest of the room is
// server code). Development only: `next build` inlines NODE_ENV, and production links nowhere.

/**
 * The inspector runs under `next dev` only: `next build` inlines NODE_ENV, so production code
 * guarded by this is dropped. (A client component that must lose an import with it spells the
 * condition out: the minifier cannot see through a constant from another module.)
 */
export const INSPECTOR_ENABLED = process.env.NODE_ENV === 'development'

/** Where a request ID opens in the inspector (app/dev/inspect). */
export function inspectorHref(requestId: string): string {
  return `/dev/inspect?request=${encodeURIComponent(requestId)}`
}
