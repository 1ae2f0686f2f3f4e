'use client'

import { useEffect } from 'react'
import { attachCapture } from './client'
import type { BrowserIdentity } from './posthog-browser'

type Props = { identity: BrowserIdentity; flags: Record<string, boolean> }

const KEY = process.env.NEXT_PUBLIC_POSTHOG_KEY

let loading: Promise<typeof import('./posthog-browser')> | undefined

/**
 * Starts posthog-js after hydration, when the browser is idle: the SDK is a separate chunk
 * that first paint never waits for. Renders nothing. Without NEXT_PUBLIC_POSTHOG_KEY the SDK
 * is never fetched and nothing is sent anywhere.
 */
export function AnalyticsProvider({ identity, flags }: Props) {
  const userId = identity?.userId
  const orgId = identity?.orgId
  useEffect(() => {
    if (!KEY) return
    const current: BrowserIdentity = userId && orgId ? { userId, orgId } : null
    if (loading) {
      void loading.then((sdk) => sdk.setIdentity(current))
      return
    }
    const start = () => {
      loading = import('./posthog-browser').then((sdk) => {
        sdk.startPostHog(KEY, { flags, identity: current })
        attachCapture(sdk.capture)
        return sdk
      })
    }
    if ('requestIdleCallback' in window) window.requestIdleCallback(start, { timeout: 2000 })
    else setTimeout(start, 1)
  }, [userId, orgId, flags])
  return null
}
