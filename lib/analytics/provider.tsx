'use client'

import { useEffect } from 'react'
import { startAnalytics } from './client'

/** Mounted once in the root layout: starts posthog-js after hydration. Renders nothing. */
export function AnalyticsProvider() {
  useEffect(startAnalytics, [])
  return null
}
