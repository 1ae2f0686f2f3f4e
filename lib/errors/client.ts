// Error tracking for browser code. App code and error boundaries call these; none of them
// imports the SDK. The SDK (sentry-browser.ts) is loaded only when a DSN was set at build time
// (or, under `next dev`, Spotlight), as its own chunk that does not hold up hydration, so a build without a DSN ships none of it.
import type { BrowserErrorContext } from './sentry-browser'

type BrowserSdk = typeof import('./sentry-browser')

// Inlined by Next at build time; when unset, everything below is a no-op.
const enabled =
  Boolean(process.env.NEXT_PUBLIC_SENTRY_DSN) ||
  (process.env.NODE_ENV === 'development' && Boolean(process.env._signalboxSentrySpotlight))

let sdk: Promise<BrowserSdk | undefined> | undefined
let loaded: BrowserSdk | undefined

function loadSdk(): Promise<BrowserSdk | undefined> | undefined {
  if (!enabled || typeof window === 'undefined') return undefined
  sdk ??= import('./sentry-browser').then(
    (module) => {
      module.start()
      loaded = module
      return module
    },
    () => undefined, // the chunk failed to load (offline, deploy in progress): nothing to report with
  )
  return sdk
}

// Errors thrown before the SDK chunk has arrived are kept and reported once it has.
const early: unknown[] = []
const keepEarlyError = (event: ErrorEvent) => early.push(event.error ?? event.message)
const keepEarlyRejection = (event: PromiseRejectionEvent) => early.push(event.reason)

/** Called once from sentry.client.config.ts, before the app hydrates. */
export function startErrorTracking(): void {
  const pending = loadSdk()
  if (!pending) return
  window.addEventListener('error', keepEarlyError)
  window.addEventListener('unhandledrejection', keepEarlyRejection)
  void pending.then((module) => {
    window.removeEventListener('error', keepEarlyError)
    window.removeEventListener('unhandledrejection', keepEarlyRejection)
    for (const error of early.splice(0)) module?.captureException(error, { tags: { before_sdk_loaded: 'true' } })
    module?.loadReplayWhenIdle()
  })
}

/** Reports an error to Sentry (when configured). Context is scrubbed like everything else. */
export function captureException(error: unknown, context?: BrowserErrorContext): void {
  void loadSdk()?.then((module) => module?.captureException(error, context))
}

/**
 * What error boundaries call. An error with a digest was thrown on the server, where
 * onRequestError already reported it with the same digest: reporting it again would count it twice.
 */
export function reportRenderError(
  error: Error & { digest?: string },
  boundary: string,
  componentStack?: string | null,
): void {
  if (error.digest) return
  captureException(error, { tags: { boundary }, extra: componentStack ? { componentStack } : undefined })
}

/** Who is using this page (IDs only), once the session is known; `null` on sign-out. */
export function setErrorTrackingUser(user: { userId: string; orgId?: string } | null): void {
  void loadSdk()?.then((module) => module?.setUser(user))
}

/** instrumentation-client.ts hook: navigation spans for tracing, once the SDK is there. */
export function onRouterTransitionStart(href: string, navigationType: string): void {
  loaded?.captureRouterTransitionStart(href, navigationType)
}
