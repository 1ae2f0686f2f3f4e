// First-load JavaScript of a production build, per route, as scripts/first-load-js.mjs measures
// it (the gzipped scripts each page's HTML loads before it is interactive), and the comparison of
// an integration's build with the default one that the analytics and Sentry specs both make.
import { spawnSync } from 'node:child_process'
import { expect } from '@playwright/test'

/** What tests/e2e/run.mjs builds: no PostHog key, no Sentry DSN. */
export const DEFAULT_DIST_DIR = '.next'

export type FirstLoad = Record<string, { files: string[]; raw: number; gzip: number; htmlMatches?: boolean }>

export function firstLoadJs(distDir: string): FirstLoad {
  const run = spawnSync(process.execPath, ['scripts/first-load-js.mjs', '--json', distDir], { encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`first-load-js.mjs ${distDir} failed:\n${run.stderr}`)
  return (JSON.parse(run.stdout) as { routes: FirstLoad }).routes
}

/**
 * Prints each route's first-load JS in the default build and in `integration`'s, and expects the
 * same routes in both and none grown by more than `budgetBytes` gzipped.
 */
export function expectFirstLoadGrowthWithin(
  integration: { name: string; routes: FirstLoad },
  without: FirstLoad,
  budgetBytes: number,
): void {
  const withIt = integration.routes
  expect(Object.keys(withIt).sort()).toEqual(Object.keys(without).sort())
  expect(Object.keys(withIt)).toEqual(
    expect.arrayContaining(['/', '/sign-in', '/sign-up', '/customers', '/customers/[id]', '/activity']),
  )
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`
  const rows = Object.keys(without).map((route) => ({
    route,
    without: without[route]!.gzip,
    with: withIt[route]!.gzip,
    added: withIt[route]!.gzip - without[route]!.gzip,
  }))
  console.log(
    [
      `first-load JS, gzipped: route, default build, ${integration.name} build, added`,
      ...rows.map(
        (r) =>
          `${r.route.padEnd(18)} ${kb(r.without).padStart(9)} ${kb(r.with).padStart(9)} ${String(r.added).padStart(6)} B`,
      ),
    ].join('\n'),
  )
  for (const row of rows) expect(row.added, `${row.route} grew by ${row.added} bytes`).toBeLessThanOrEqual(budgetBytes)
}
