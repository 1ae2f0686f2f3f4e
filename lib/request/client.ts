'use client'

import { useSyncExternalStore } from 'react'

// The proxy sends the request ID as `Server-Timing: rid;desc="<id>"`, which same-origin pages
// can read from the Performance API. That gives client code (error pages, error reports) the
// ID of the request that served what is on screen, without making any page dynamic.

function requestIdOf(entry: PerformanceEntry | undefined): string | undefined {
  const timings = (entry as PerformanceResourceTiming | undefined)?.serverTiming ?? []
  return timings.find((timing) => timing.name === 'rid')?.description || undefined
}

/** The ID of the latest request for the current page: its RSC fetch, else the document load. */
export function currentPageRequestId(): string | undefined {
  if (typeof performance === 'undefined') return undefined
  const path = window.location.pathname
  const fetches = performance.getEntriesByType('resource').filter((entry) => {
    try {
      return new URL(entry.name).pathname === path && requestIdOf(entry)
    } catch {
      return false
    }
  })
  return requestIdOf(fetches.at(-1)) ?? requestIdOf(performance.getEntriesByType('navigation')[0])
}

const noSubscription = () => () => {}

/** The page's request ID in a client component; undefined while rendering on the server. */
export function usePageRequestId(): string | undefined {
  return useSyncExternalStore(noSubscription, currentPageRequestId, () => undefined)
}
