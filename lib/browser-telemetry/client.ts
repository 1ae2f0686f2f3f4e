'use client'

// Browser telemetry, tied to the request that served the page (its ID comes from the
// `Server-Timing` header the proxy sets, lib/request/client.ts). Mounted once in the root
// layout; starts after hydration:
// - Web Vitals, always: the server turns them into Prometheus histograms by route pattern and
//   PostHog `web_vital` events (receive.ts), and, under `next dev`, inspector entries;
// - under `next dev` only, unhandled errors and rejections and the page's track() calls, for the
//   inspector's Browser and Analytics panels. In production Sentry and PostHog own those, so the
//   build drops that code (the condition is spelled out for the minifier to see).
// This file is only the trigger: the rest (collect.ts) is a chunk of its own, loaded lazily.
import { useEffect } from 'react'

let started = false

/**
 * Loads the rest (collect.ts) as its own chunk: when the browser is idle after hydration in
 * production (web-vitals reads the page's buffered entries, so nothing is missed by waiting), at
 * once under `next dev`, so the inspector sees the page's first errors.
 */
export function startBrowserTelemetry(): void {
  if (started) return
  started = true
  const load = () =>
    void import('./collect').then(
      ({ collect }) => collect(),
      () => {},
    ) // offline, mid-deploy: no telemetry for this page
  if (process.env.NODE_ENV === 'development') load()
  else if ('requestIdleCallback' in window) window.requestIdleCallback(load, { timeout: 3000 })
  else setTimeout(load, 1)
}

/** Mounted once in the root layout, next to AnalyticsProvider. Renders nothing. */
export function BrowserTelemetry() {
  useEffect(startBrowserTelemetry, [])
  return null
}
