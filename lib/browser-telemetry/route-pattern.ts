// The route pattern of a browser path (`/customers/3f2…` → `/customers/[id]`), the only route
// label browser telemetry may carry: a Prometheus label or a PostHog property built from raw
// paths would grow with the data (and could carry an ID someone typed). Isomorphic: the browser
// names its page with it, and the server checks what a beacon claims against the same list.
//
// The list is the app's pages (app/**/page.tsx, route groups left out). The server's own route
// names come from the build's routes manifest (lib/request/routes.ts), which `next dev` lacks
// and the browser never sees; tests/unit/browser-events.test.ts reads app/ and fails when a page
// is added or removed without this list following.

/** Every page's pattern. Static ones are matched before dynamic ones, as Next does. */
export const ROUTE_PATTERNS = [
  '/',
  '/activity',
  '/customers',
  '/customers/[id]',
  '/debug/error',
  '/debug/sentry',
  '/dev/inspect',
  '/sign-in',
  '/sign-up',
  '/status',
] as const

export type RoutePattern = (typeof ROUTE_PATTERNS)[number]

/** The label for a path no page serves (a 404, a page added without updating the list). */
export const OTHER_ROUTE = 'other'

export type RouteLabel = RoutePattern | typeof OTHER_ROUTE

const KNOWN = new Set<string>(ROUTE_PATTERNS)

const segmentPattern = (segment: string) =>
  segment.startsWith('[') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const DYNAMIC = ROUTE_PATTERNS.filter((pattern) => pattern.includes('[')).map((pattern) => ({
  pattern,
  regex: new RegExp(`^${pattern.split('/').map(segmentPattern).join('/')}$`),
}))

/** The pattern serving `pathname`, or `other`. A query or hash is never part of it. */
export function routePatternOf(pathname: string): RouteLabel {
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  if (KNOWN.has(clean)) return clean as RoutePattern
  return DYNAMIC.find(({ regex }) => regex.test(clean))?.pattern ?? OTHER_ROUTE
}

/** What the server files a beacon's claimed route under: a known pattern as sent, anything else `other`. */
export function routeLabelOf(claimed: unknown): RouteLabel {
  return typeof claimed === 'string' && KNOWN.has(claimed) ? (claimed as RoutePattern) : OTHER_ROUTE
}
