'use client'

// Browser telemetry, tied to the request that served the page (its ID comes from the
// `Server-Timing` header the proxy sets, lib/request/client.ts). Mounted once in the root
// layout; starts after hydration:
// - Web Vitals, always: the server turns them into Prometheus histograms by route pattern and
//   PostHog `web_vital` events (receive.ts), and, under `next dev`, inspector entries;
// - under `next dev` only, unhandled errors and rejections and the page's track() calls, for the
//   inspector's Browser and Analytics panels. In production Sentry and PostHog own those, so the
//   build drops this code (the condition is spelled out for the minifier to see).
import { useEffect } from 'react'
import { onTrack } from '../analytics/client'
import { currentPageRequestId } from '../request/client'
import { queueEntry } from './beacon'
import { MAX_MESSAGE_LENGTH, MAX_STACK_LENGTH } from './limits'
import { routePatternOf } from './route-pattern'

let started = false

const here = () => ({ route: routePatternOf(window.location.pathname), requestId: currentPageRequestId() })

function whenIdle(work: () => void): void {
  if ('requestIdleCallback' in window) window.requestIdleCallback(work, { timeout: 3000 })
  else setTimeout(work, 1)
}

function startVitals(): void {
  // Every vital belongs to the page load that started here (web-vitals reports LCP, CLS and INP
  // later, when the page is hidden, possibly after client-side navigations): name that page.
  const page = here()
  whenIdle(
    () =>
      void import('./vitals')
        .then(({ collectVitals }) => collectVitals((vital) => queueEntry({ type: 'vital', ...vital, ...page })))
        .catch(() => {}), // chunk failed to load (offline, mid-deploy): this page reports no vitals
  )
}

/** `next dev` only: what would otherwise be seen only in the browser's console, for the inspector. */
function startDevelopmentFeeds(): void {
  const reportError = (kind: 'error' | 'unhandledrejection', reason: unknown, fallback: string) => {
    const error = reason instanceof Error ? reason : undefined
    queueEntry({
      type: 'error',
      kind,
      message: (error?.message ?? (typeof reason === 'string' ? reason : fallback)).slice(0, MAX_MESSAGE_LENGTH),
      ...(error?.stack ? { stack: error.stack.slice(0, MAX_STACK_LENGTH) } : {}),
      ...here(),
    })
  }
  window.addEventListener('error', (event) => reportError('error', event.error, event.message || 'error'))
  window.addEventListener('unhandledrejection', (event) =>
    reportError('unhandledrejection', event.reason, 'unhandled rejection'),
  )
  onTrack((event, properties) => queueEntry({ type: 'analytics', event, properties, ...here() }))
}

export function startBrowserTelemetry(): void {
  if (started) return
  started = true
  startVitals()
  if (process.env.NODE_ENV === 'development') startDevelopmentFeeds()
}

/** Mounted once in the root layout, next to AnalyticsProvider. Renders nothing. */
export function BrowserTelemetry() {
  useEffect(startBrowserTelemetry, [])
  return null
}
