// The Sentry adapter for the browser: with sentry-browser-replay.ts (Replay, loaded later), the
// only browser code that imports the SDK, loaded
// on demand by client.ts (never import it directly, or the SDK lands in every page's first
// load). Events go to the same-origin tunnel, scrubbed, tagged with the page's request ID.
import {
  addEventProcessor,
  addIntegration,
  captureException as sentryCaptureException,
  captureRouterTransitionStart as sentryCaptureRouterTransitionStart,
  init,
  setTag,
  setUser as sentrySetUser,
  spotlightBrowserIntegration,
  withStaticSpan,
} from '@sentry/nextjs'
import { stripFragmentValues } from '../privacy'
import { currentPageRequestId } from '../request/client'
import { scrubBreadcrumb, scrubEvent, scrubReplayRecord, scrubSpan, scrubUrl } from './scrub-event'
import {
  dataCollection,
  TUNNEL_PATH,
  sentryEnvironment,
  spotlightFrom,
  tracesSampleRate,
  tracingOptions,
} from './settings'

export type BrowserErrorContext = { tags?: Record<string, string>; extra?: Record<string, unknown> }

/** Starts the SDK with the values inlined at build time (next.config.js `env`). */
export function start(): void {
  const spotlight = spotlightFrom(process.env._signalboxSentrySpotlight, process.env.NODE_ENV)
  init({
    dsn: process.env.NEXT_PUBLIC_SENTRY_DSN,
    tunnel: TUNNEL_PATH,
    environment: sentryEnvironment({
      SENTRY_ENVIRONMENT: process.env._signalboxSentryEnvironment,
      NODE_ENV: process.env.NODE_ENV,
    }),
    ...tracingOptions(tracesSampleRate(process.env._signalboxSentryTracesSampleRate)),
    // Transactions rather than streamed spans, as on the server (sentry-server.ts).
    traceLifecycle: 'static',
    dataCollection: dataCollection(),
    // Replay only around errors; the integration itself arrives after the page is idle.
    replaysSessionSampleRate: 0,
    replaysOnErrorSampleRate: 1.0,
    beforeSend: (event) => scrubEvent(event, currentPageRequestId()),
    beforeSendTransaction: (event) => scrubEvent(event, currentPageRequestId()),
    beforeSendSpan: withStaticSpan((span) => scrubSpan(span)),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
    integrations: spotlight
      ? [spotlightBrowserIntegration(typeof spotlight === 'string' ? { sidecarUrl: spotlight } : {})]
      : [],
  })
  // Replay events skip beforeSend; they carry the page URLs.
  addEventProcessor((event) => {
    if (event.type !== 'replay_event') return event
    const replay = scrubEvent(event) as typeof event & { urls?: string[] }
    if (replay.urls) replay.urls = replay.urls.map(scrubUrl)
    return replay
  })
}

export function captureException(error: unknown, context: BrowserErrorContext = {}): void {
  sentryCaptureException(error, { tags: context.tags, extra: context.extra })
}

export function setUser(user: { userId: string; orgId?: string } | null): void {
  sentrySetUser(user ? { id: user.userId } : null)
  setTag('org_id', user?.orgId)
}

export function captureRouterTransitionStart(href: string, navigationType: string): void {
  sentryCaptureRouterTransitionStart(href, navigationType)
}

// Any query string at all, not only `name=value` pairs: a token pasted as a bare key
// (`/status?eyJ…`) is as much a secret, and the recording would keep it verbatim. A fragment
// too, unless the privacy rule keeps it as it is (a plain anchor, `#pricing`): OAuth's implicit
// flow and magic links put tokens there (`#access_token=…`).
const addressMayHoldSecrets = () => {
  const { search, hash } = window.location
  const fragment = hash.slice(1)
  return search.length > 1 || stripFragmentValues(fragment) !== fragment
}

/**
 * Session Replay (on error only) after the page has loaded and gone idle, as a separate chunk:
 * it never costs the first paint. All text and inputs are masked and media blocked. A page
 * whose URL carries a query string, or a fragment other than a plain anchor, is not recorded:
 * the recording stores the page's address. A full snapshot taken later, while a page reached in
 * the app with one is open, still stores it (its Meta record passes no hook): the tunnel scrubs
 * that one on the server (replay-recording.ts).
 */
export function loadReplayWhenIdle(): void {
  // Not even loaded: a replay started on an earlier page (it lives in sessionStorage) would go
  // on recording here, and its first record, the page's address, passes no hook.
  if (addressMayHoldSecrets()) return
  const load = () => {
    void import('./sentry-browser-replay').then(({ replayIntegration }) => {
      addIntegration(
        replayIntegration({
          maskAllText: true,
          maskAllInputs: true,
          blockAllMedia: true,
          // A page reached in the app (no load) with such an address is left out record by record.
          beforeAddRecordingEvent: (record) => (addressMayHoldSecrets() ? null : scrubReplayRecord(record)),
          beforeErrorSampling: () => !addressMayHoldSecrets(),
        }),
      )
    })
  }
  const whenIdle = () =>
    'requestIdleCallback' in window ? window.requestIdleCallback(load, { timeout: 5000 }) : setTimeout(load, 2000)
  if (document.readyState === 'complete') whenIdle()
  else window.addEventListener('load', whenIdle, { once: true })
}
