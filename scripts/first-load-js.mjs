// Prints the JavaScript each prerendered page loads before it is interactive (every
// <script src> in its HTML but `nomodule` ones), raw and gzipped. Chunks loaded later with
// import() (the Sentry SDK, Session Replay) are not counted: they do not delay the first paint. Next 16's `next build` no longer prints a
// "First Load JS" column, so this is how a change's cost to the first paint is measured:
//   node scripts/first-load-js.mjs [distDir]     (after `next build`; default .next)
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'

const distDir = process.argv[2] ?? process.env.NEXT_DIST_DIR ?? '.next'
const appDir = path.join(distDir, 'server', 'app')
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`

const pages = readdirSync(appDir).filter((name) => name.endsWith('.html'))
console.log(`First Load JS of prerendered pages in ${distDir} (raw / gzip)`)
for (const page of pages) {
  const html = readFileSync(path.join(appDir, page), 'utf8')
  // `nomodule` scripts (legacy polyfills) are never fetched by the browsers Next supports.
  const tags = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)].filter((match) => !/\snomodule/i.test(match[0]))
  const sources = new Set(tags.map((match) => match[1]))
  let raw = 0
  let gzip = 0
  for (const source of sources) {
    const file = path.join(distDir, 'static', source.replace(/^\/_next\/static\//, ''))
    const body = readFileSync(file)
    raw += body.length
    gzip += gzipSync(body).length
  }
  const route = page === 'index.html' ? '/' : `/${page.replace(/\.html$/, '')}`
  console.log(`${route.padEnd(20)} ${String(sources.size).padStart(2)} files  ${kb(raw).padStart(10)}  ${kb(gzip).padStart(9)}`)
}
