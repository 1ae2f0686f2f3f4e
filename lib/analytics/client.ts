'use client'

// track() for client components. Same signature as the server's track() in
// lib/analytics/server.ts. Events sent before PostHog has loaded are queued, not lost; with no
// key they are only printed in development.
import type { EventName, EventProps } from './events'

export type { EventName, EventProps } from './events'

type Capture = <E extends EventName>(event: E, properties: EventProps<E>) => void

let capture: Capture | undefined
const queue: [EventName, EventProps<EventName>][] = []

export function track<E extends EventName>(event: E, properties: EventProps<E>): void {
  if (capture) return capture(event, properties)
  if (!process.env.NEXT_PUBLIC_POSTHOG_KEY) {
    if (process.env.NODE_ENV === 'development') console.debug('[analytics]', event, properties)
    return
  }
  if (queue.length < 100) queue.push([event, properties])
}

/** Called by the provider once posthog-js is ready: flushes what was queued. */
export function attachCapture(ready: Capture): void {
  capture = ready
  for (const [event, properties] of queue.splice(0)) ready(event, properties)
}
