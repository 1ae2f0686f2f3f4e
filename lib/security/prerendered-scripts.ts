// Hashes of the inline scripts in the pages `next build` prerendered (/, the 404 page, the
// global error page): those pages are served as built, without a per-request nonce, so the
// policy allows their inline scripts by hash instead. Read once per process from the build's
// HTML, like the route table in lib/request/routes.ts.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const INLINE_SCRIPT = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g

/** `'sha256-…'` CSP sources for each distinct inline script in `html` documents. */
export function inlineScriptHashes(htmlDocuments: Iterable<string>): string[] {
  const hashes = new Set<string>()
  for (const html of htmlDocuments) {
    for (const [, text] of html.matchAll(INLINE_SCRIPT)) {
      if (text) hashes.add(`'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`)
    }
  }
  return [...hashes].sort()
}

function* prerenderedHtml(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* prerenderedHtml(file)
    else if (entry.name.endsWith('.html')) yield readFileSync(file, 'utf8')
  }
}

let cached: string[] | undefined

/** The hashes for this server's build; none under `next dev`, which renders every page on request. */
export function prerenderedScriptHashes(): string[] {
  if (cached) return cached
  if (process.env.NODE_ENV !== 'production') return (cached = [])
  const appDir = path.join(process.cwd(), process.env.NEXT_DIST_DIR?.trim() || '.next', 'server', 'app')
  try {
    cached = inlineScriptHashes(prerenderedHtml(appDir))
  } catch (error) {
    // Without them the prerendered pages' scripts are refused (they render, but never hydrate).
    // A JSON line like the logger's: the logger (pino) stays out of the proxy's bundle.
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'csp_prerendered_pages_unreadable',
        dir: appDir,
        error: (error as Error).message,
      }),
    )
    cached = []
  }
  return cached
}
