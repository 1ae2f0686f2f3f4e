// The same-origin PostHog endpoint: posthog-js talks to /ingest on the app's own origin (ad
// blockers drop direct calls, and the CSP keeps connect-src 'self'), and this forwards to
// PostHog. A rewrite in next.config.js would forward every path and every request header, the
// session cookie included; this forwards only the paths posthog-js uses, and only what PostHog
// needs to read the payload. The browser's cookies, its IP address (no x-forwarded-for) and its
// other headers never leave the app. Without a PostHog key, /ingest does not exist (404).
import 'server-only'
import { env } from '../env'
import { closeIfUnread, readCapped, upstreamFailureStatus } from '../http'
import { recordDependencyState } from '../metrics'

const FORWARDED_REQUEST_HEADERS = ['accept', 'content-type', 'content-encoding', 'user-agent'] as const
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'etag', 'last-modified'] as const

/**
 * What PostHog answers is served from our origin, with the type PostHog gives it: opened as a
 * page (an upstream, or a compromised one, answering `text/html`), it must not run as one. A
 * policy on a response loaded by `<script src>` does not apply to the script, so posthog-js's
 * own files load as before.
 */
const UPSTREAM_ANSWER_POLICY = { 'Content-Security-Policy': "default-src 'none'; sandbox" }
/**
 * posthog-js sends events in batches flushed every few seconds (a few kB, gzipped), and flags
 * requests are smaller still. Its largest body, a session-recording chunk, is flushed at 0.9 MB
 * before compression (RECORDING_MAX_EVENT_SIZE), and recording is off in this template.
 */
export const MAX_INGEST_BYTES = 1024 * 1024
/** The whole body must arrive within this long; a batch takes milliseconds. */
export const INGEST_BODY_TIMEOUT_MS = 10_000
const UPSTREAM_TIMEOUT_MS = 10_000
const PREFIX = '/ingest'

type Method = 'GET' | 'POST'
type IngestRoute = {
  /** The path after /ingest, matched whole: nothing else (no `..`, no `//`, no encoded `/`) gets through. */
  path: RegExp
  methods: readonly Method[]
  /** PostHog serves /static/* from its assets host and everything else from its API host. */
  host: 'api' | 'assets'
  /** The path names a project token (its `token` group): only this app's own is forwarded. */
  ownToken?: true
}

/**
 * Every request posthog-js (the version in package.json, 1.449.x) makes to `api_host` and to
 * its assets through `/ingest`, read from its source (node_modules/posthog-js/lib/src, and
 * @posthog/browser-common, which it bundles). Nothing else is forwarded. Features this template
 * leaves off and has no use for (session recording /s/, surveys /api/surveys/, product tours,
 * web experiments, early-access features, logs /i/v1/logs, metrics /i/v1/metrics, site apps,
 * conversations) are not listed: turning one on in lib/analytics/posthog-browser.ts means
 * adding its path here.
 */
export const INGEST_ROUTES: readonly IngestRoute[] = [
  // Events: posthog-core.js `analyticsDefaultEndpoint = '/e/'`, POSTed by fetch, XHR or sendBeacon.
  { path: /^\/e\/$/, methods: ['POST'], host: 'api' },
  // Events, when remote config sets `analytics.endpoint` (PostHog Cloud's answer is '/i/v0/e/').
  { path: /^\/i\/v0\/e\/$/, methods: ['POST'], host: 'api' },
  // Feature flags: browser-common's feature-flags.js POSTs `/flags/?v=2`. This template
  // bootstraps flags from the server (advanced_disable_flags), so only a changed init sends it.
  { path: /^\/flags\/$/, methods: ['POST'], host: 'api' },
  // Remote config: remote-config.js GETs `/array/<token>/config`; external-scripts-loader.js loads
  // `/array/<token>/config.js`. Both off here with flags disabled; only our own project's token.
  { path: /^\/array\/(?<token>[A-Za-z0-9_-]{1,100})\/config(?:\.js)?$/, methods: ['GET'], host: 'api', ownToken: true },
  // Extension scripts: external-scripts-loader.js loads `/static/<kind>.js?v=<version>`, or
  // `/static/<version>/<kind>.js` with strict_script_versioning (recorder, surveys, toolbar,
  // exception-autocapture…). Off here (disable_external_dependency_loading).
  {
    path: /^\/static\/(?:\d+\.\d+\.\d+(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?\/)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.js$/,
    methods: ['GET'],
    host: 'assets',
  },
]

type PostHogHosts = { api: string; assets: string }
export type IngestOptions = {
  /** The PostHog project key; without one /ingest answers 404 to everything. */
  key: string | undefined
  hosts: PostHogHosts
  maxBytes?: number
  bodyTimeoutMs?: number
}

/**
 * `/ingest/e/?v=1` → the PostHog URL it stands for and the methods that path takes; undefined
 * for any path posthog-js does not use (or a remote-config path naming another token).
 */
export function upstreamFor(
  requestUrl: string,
  hosts: PostHogHosts,
  key: string,
): { url: string; methods: readonly Method[] } | undefined {
  const url = new URL(requestUrl)
  if (!url.pathname.startsWith(`${PREFIX}/`)) return undefined
  const rest = url.pathname.slice(PREFIX.length)
  for (const route of INGEST_ROUTES) {
    const match = route.path.exec(rest)
    if (!match) continue
    if (route.ownToken && match.groups?.token !== key) return undefined
    const host = (route.host === 'assets' ? hosts.assets : hosts.api).replace(/\/$/, '')
    const target = new URL(`${host}${rest}${url.search}`)
    // Belt and braces: whatever the path, the request goes to the configured host.
    if (target.origin !== new URL(host).origin) return undefined
    return { url: target.href, methods: route.methods }
  }
  return undefined
}

const refusal = (request: Request, status: number, reason: string, headers: Record<string, string> = {}) =>
  new Response(reason, {
    status,
    headers: {
      'Content-Type': 'text/plain',
      'Cache-Control': 'no-store',
      ...closeIfUnread(request),
      ...headers,
    },
  })

const configured = (): IngestOptions => ({
  key: env().NEXT_PUBLIC_POSTHOG_KEY,
  hosts: { api: env().POSTHOG_HOST, assets: env().POSTHOG_ASSETS_HOST },
})

/**
 * Checks in this order, each before a byte of the body is read: a key (else 404), a path
 * posthog-js uses (else 404), a method that path takes (else 405 with Allow), a declared length
 * within the cap (else 413; 400 if it is not a length). Then the body is read within the cap and
 * a deadline (413, 408; 400 if it breaks) and forwarded.
 */
export async function forwardToPostHog(request: Request, options: IngestOptions = configured()): Promise<Response> {
  if (!options.key) return refusal(request, 404, 'Not found')
  const upstream = upstreamFor(request.url, options.hosts, options.key)
  if (!upstream) return refusal(request, 404, 'Not found')
  if (!(upstream.methods as readonly string[]).includes(request.method)) {
    return refusal(request, 405, 'Method not allowed', { Allow: upstream.methods.join(', ') })
  }
  let body: Uint8Array<ArrayBuffer> | undefined
  if (request.method === 'POST') {
    // readCapped refuses an over-long declared Content-Length before reading anything.
    const read = await readCapped(request, {
      maxBytes: options.maxBytes ?? MAX_INGEST_BYTES,
      timeoutMs: options.bodyTimeoutMs ?? INGEST_BODY_TIMEOUT_MS,
    })
    if (!read.ok) return refusal(request, read.status, read.reason)
    body = read.body
  }

  const headers = new Headers()
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name)
    if (value) headers.set(name, value)
  }
  let response: Response
  try {
    response = await fetch(upstream.url, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      cache: 'no-store',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    })
  } catch (error) {
    // PostHog unreachable or too slow: dependency_state says so (DependencyDown's ticket), as the
    // server's own sends and the Sentry tunnel do. A browser-only outage would otherwise not show.
    recordDependencyState('posthog', 'down')
    return new Response(null, { status: upstreamFailureStatus(error) })
  }
  recordDependencyState('posthog', response.status >= 500 ? 'down' : 'up')
  // fetch() has already decoded the body, so its encoding and length headers no longer apply.
  const responseHeaders = new Headers(UPSTREAM_ANSWER_POLICY)
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = response.headers.get(name)
    if (value) responseHeaders.set(name, value)
  }
  return new Response(response.body, { status: response.status, headers: responseHeaders })
}
