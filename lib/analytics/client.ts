'use client'

// Analytics for client components. track() takes the same event and properties as the server's
// track() in lib/analytics/server.ts. The first 100 calls made before posthog-js has loaded are
// kept and replayed once it has; without NEXT_PUBLIC_POSTHOG_KEY nothing is loaded or sent.
import type { EventName, EventProps } from './events'
import type { BrowserIdentity } from './posthog-browser'

export type { EventName, EventProps } from './events'
export type { BrowserIdentity } from './posthog-browser'
export { AnalyticsProvider } from './provider'

type Sdk = typeof import('./posthog-browser')

const KEY = process.env.NEXT_PUBLIC_POSTHOG_KEY

let sdk: Sdk | undefined
let starting = false
const queue: ((loaded: Sdk) => void)[] = []
// What the signed-in shell told us before the SDK started: used to bootstrap it (no flicker).
let pendingIdentity: BrowserIdentity = null
let pendingFlags: Record<string, boolean> = {}

function run(call: (loaded: Sdk) => void): void {
  if (!KEY) return
  if (sdk) call(sdk)
  else if (queue.length < 100) queue.push(call)
}

/** A track() call as a listener sees it: the catalog's properties are IDs, counts and enums. */
export type TrackListener = (event: EventName, properties: Record<string, string | number | boolean | null>) => void

const listeners: TrackListener[] = []

/**
 * Development only: `listener` hears every track() call, key or not (lib/browser-telemetry
 * forwards them to the inspector). In production it is never called, and the build drops it.
 */
export function onTrack(listener: TrackListener): void {
  if (process.env.NODE_ENV === 'development') listeners.push(listener)
}

export function track<E extends EventName>(event: E, properties: EventProps<E>): void {
  if (process.env.NODE_ENV === 'development') {
    if (!KEY) console.debug('[analytics]', event, properties)
    for (const listener of listeners) listener(event, properties as Record<string, string | number | boolean | null>)
  }
  run((loaded) => loaded.capture(event, properties))
}

/** The signed-in user (IDs only) and the flags the server evaluated for them. */
export function identify(identity: NonNullable<BrowserIdentity>, flags: Record<string, boolean>): void {
  if (!sdk) {
    pendingIdentity = identity
    pendingFlags = flags
  }
  run((loaded) => loaded.setIdentity(identity))
}

/** On sign-out: the next person on this browser starts anonymous. */
export function forgetIdentity(): void {
  pendingIdentity = null
  run((loaded) => loaded.setIdentity(null))
}

/** Loads posthog-js as its own chunk when the browser is idle after hydration. */
export function startAnalytics(): void {
  if (!KEY || starting) return
  starting = true
  const start = () =>
    void import('./posthog-browser').then(
      (loaded) => {
        loaded.startPostHog(KEY, { identity: pendingIdentity, flags: pendingFlags })
        sdk = loaded
        for (const call of queue.splice(0)) call(loaded)
      },
      () => {
        starting = false // chunk failed to load (offline, mid-deploy): try again on the next page
      },
    )
  if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 2000 })
  else setTimeout(start, 1)
}
