// Prints the JavaScript each page route loads before it is interactive, raw and gzipped, for
// every App Router page: prerendered ones and dynamic, signed-in ones such as /customers. Next 16's
// `next build` no longer prints a "First Load JS" column, so this is how a change's cost to the
// first paint is measured:
//   node scripts/first-load-js.mjs [distDir]          a table (after `next build`; default .next)
//   node scripts/first-load-js.mjs --json [distDir]   the same as JSON, for tests
//
// A route's first-load JS is the app's root chunks (build-manifest.json `rootMainFiles`) plus
// the entry chunks of its layouts, page and boundaries (`entryJSFiles` in the route's client
// reference manifest): the files its HTML lists in <script src>. `nomodule` polyfills are never
// fetched by the browsers Next supports, and chunks loaded later with import() (posthog-js, the
// Sentry SDK) do not delay the first paint, so neither is counted. For prerendered pages the
// list is checked against the <script> tags of the built HTML (`htmlMatches`).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { gzipSync } from 'node:zlib'

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'))

/** The chunks a route's client reference manifest lists as entries (layouts, page, boundaries). */
function entryChunks(distDir, pageKey) {
  const file = path.join(distDir, 'server', 'app', `${pageKey}_client-reference-manifest.js`)
  if (!existsSync(file)) return []
  const sandbox = {}
  vm.runInNewContext(readFileSync(file, 'utf8'), sandbox, { filename: file })
  const manifest = sandbox.__RSC_MANIFEST?.[pageKey]
  return Object.values(manifest?.entryJSFiles ?? {}).flat()
}

/** The scripts a built HTML page loads, without `nomodule` ones, as paths under distDir. */
function htmlScripts(html) {
  const tags = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)].filter((match) => !/\snomodule/i.test(match[0]))
  return tags.map((match) => match[1].replace(/^\/_next\//, ''))
}

/**
 * `{ [route]: { files, raw, gzip, htmlMatches? } }` for every App Router page in `distDir`;
 * `files` are the `static/chunks/…` paths its HTML loads, as `/_next/<file>`.
 */
export function firstLoadJs(distDir = '.next') {
  const build = readJson(path.join(distDir, 'build-manifest.json'))
  const routes = readJson(path.join(distDir, 'app-path-routes-manifest.json'))
  const sizes = new Map()
  const sizeOf = (file) => {
    if (!sizes.has(file)) {
      const body = readFileSync(path.join(distDir, file))
      sizes.set(file, { raw: body.length, gzip: gzipSync(body).length })
    }
    return sizes.get(file)
  }
  const result = {}
  for (const [pageKey, route] of Object.entries(routes).sort(([, a], [, b]) => a.localeCompare(b))) {
    if (!pageKey.endsWith('/page') || route.startsWith('/_global-error')) continue
    const files = [...new Set([...build.rootMainFiles, ...entryChunks(distDir, pageKey)])].sort()
    const entry = { files, raw: 0, gzip: 0 }
    for (const file of files) {
      const { raw, gzip } = sizeOf(file)
      entry.raw += raw
      entry.gzip += gzip
    }
    const htmlFile = path.join(distDir, 'server', 'app', `${route === '/' ? 'index' : route.slice(1)}.html`)
    if (existsSync(htmlFile)) {
      const fromHtml = [...new Set(htmlScripts(readFileSync(htmlFile, 'utf8')))].sort()
      entry.htmlMatches = fromHtml.join('\n') === files.join('\n')
    }
    result[route] = entry
  }
  return result
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const json = args.includes('--json')
  const distDir = args.find((arg) => !arg.startsWith('--')) ?? process.env.NEXT_DIST_DIR ?? '.next'
  if (!existsSync(path.join(distDir, 'build-manifest.json'))) {
    console.error(`No production build in ${distDir}: run \`npm run build\` first (or name the build's folder).`)
    process.exit(1)
  }
  const routes = firstLoadJs(distDir)
  if (json) {
    console.log(JSON.stringify({ distDir, routes }, null, 2))
  } else {
    const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`
    console.log(`First Load JS per page in ${distDir} (raw / gzip)`)
    for (const [route, { files, raw, gzip, htmlMatches }] of Object.entries(routes)) {
      const note = htmlMatches === false ? '  (differs from its HTML!)' : ''
      console.log(
        `${route.padEnd(20)} ${String(files.length).padStart(2)} files  ${kb(raw).padStart(10)}  ${kb(gzip).padStart(9)}${note}`,
      )
    }
  }
}
