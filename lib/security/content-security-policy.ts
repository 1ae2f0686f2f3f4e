// The Content-Security-Policy, as one pure function: what each directive allows and why is in
// docs/security.md ("Security headers and Content-Security-Policy"). The proxy sends it on every
// response it handles, pages and API routes but the probes (lib/security/index.ts); the headers
// that need no nonce are in next.config.js.
import { randomFillSync } from 'node:crypto'

export const CONTENT_SECURITY_POLICY_HEADER = 'content-security-policy'

export type PolicyOptions = {
  /** Fresh for each request: Next puts it on every script of a page it renders for the request. */
  nonce: string
  /**
   * `'sha256-…'` sources for the inline scripts of the prerendered pages, which were rendered
   * at build time without a nonce (lib/security/prerendered-scripts.ts).
   */
  scriptHashes: readonly string[]
  /** `next dev`: React Refresh and Next's error overlay need eval and inline styles. */
  development: boolean
  /** Extra origins the browser may connect to, development only (the Spotlight sidecar). */
  developmentConnectSources?: readonly string[]
  /** Origins our own forms are redirected to (an OAuth provider's authorize page). */
  formRedirectSources?: readonly string[]
}

const NONCE_BYTES = 16
// Random bytes for the next 256 nonces, drawn at once: one call into the system's generator per
// nonce cost 3.3 µs, a slice of the pool 0.16 (Node draws randomUUID's bytes the same way). Each
// byte is handed out once; the pool is refilled when it runs out.
const noncePool = Buffer.alloc(NONCE_BYTES * 256)
let noncePoolOffset = noncePool.length

/** A nonce: 128 random bits, base64 (what the CSP grammar and Next's nonce parser accept). */
export function newNonce(): string {
  if (noncePoolOffset === noncePool.length) {
    randomFillSync(noncePool)
    noncePoolOffset = 0
  }
  const nonce = noncePool.toString('base64', noncePoolOffset, noncePoolOffset + NONCE_BYTES)
  noncePoolOffset += NONCE_BYTES
  return nonce
}

export function contentSecurityPolicy({
  nonce,
  scriptHashes,
  development,
  developmentConnectSources = [],
  formRedirectSources = [],
}: PolicyOptions): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    // Scripts from our origin (Next's chunks, loaded by src); inline ones only with this
    // request's nonce (pages rendered for it) or a known hash (prerendered pages). Never
    // 'unsafe-inline'; eval only under `next dev`.
    'script-src': ["'self'", `'nonce-${nonce}'`, ...scriptHashes, ...(development ? ["'unsafe-eval'"] : [])],
    // Stylesheets from our origin only: the app sets no inline styles (Tailwind classes).
    'style-src': ["'self'", ...(development ? ["'unsafe-inline'"] : [])],
    // Telemetry leaves through our own origin (/ingest, /monitoring), so nothing else is needed.
    'connect-src': ["'self'", ...(development ? developmentConnectSources : [])],
    // Sentry Session Replay compresses recordings in a worker it starts from a blob: URL.
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
    // Forms post to our origin. Browsers apply this to the redirects that follow a submission
    // too, so a sign-in form that redirects to an OAuth provider needs that provider here.
    'form-action': ["'self'", ...formRedirectSources],
  }
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ')
}
