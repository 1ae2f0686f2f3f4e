// Maps a concrete path to its route pattern (`/customers/3f2…` → `/customers/[id]`) using the
// routes manifest of the production build, so access lines and metrics name routes with
// bounded cardinality.
import { readFileSync } from 'node:fs'
import path from 'node:path'

type ManifestRoute = { page: string; regex: string }
type Matcher = { page: string; regex: RegExp }

let matchers: Matcher[] | undefined

function loadMatchers(): Matcher[] {
  // `next dev` builds into .next/dev; a manifest left by an earlier production build is stale.
  if (process.env.NODE_ENV !== 'production') return []
  try {
    const manifest = JSON.parse(
      readFileSync(
        path.join(process.cwd(), process.env.NEXT_DIST_DIR?.trim() || '.next', 'routes-manifest.json'),
        'utf8',
      ),
    ) as {
      staticRoutes?: ManifestRoute[]
      dynamicRoutes?: ManifestRoute[]
    }
    // Static routes first: a static `/customers/new` would win over `/customers/[id]`.
    return [...(manifest.staticRoutes ?? []), ...(manifest.dynamicRoutes ?? [])].map((route) => ({
      page: route.page,
      regex: new RegExp(route.regex),
    }))
  } catch {
    return [] // development server or no build: routes stay unknown
  }
}

/** The route pattern serving `pathname`, or undefined (unknown path, static file, 404). */
export function routePatternFor(pathname: string): string | undefined {
  matchers ??= loadMatchers()
  if (pathname.startsWith('/_next/')) return undefined
  const clean = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname
  for (const matcher of matchers) if (matcher.regex.test(clean)) return matcher.page
  return undefined
}
