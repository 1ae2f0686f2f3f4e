// The only browser file that imports posthog-js. Loaded with a dynamic import after
// hydration (lib/analytics/provider.tsx), so the SDK never costs first paint.
import posthog from 'posthog-js'
import { stripQueryValues } from '../observability/redact'
import type { EventName, EventProps } from './events'

export type BrowserIdentity = { userId: string; orgId: string } | null

const URL_PROPERTIES = ['$current_url', '$referrer', '$initial_current_url', '$initial_referrer', '$prev_pageview_pathname']

export function startPostHog(key: string, options: { flags: Record<string, boolean>; identity: BrowserIdentity }) {
  posthog.init(key, {
    api_host: '/ingest', // same origin: see the rewrites in next.config.js
    ui_host: process.env.NEXT_PUBLIC_POSTHOG_UI_HOST,
    person_profiles: 'identified_only',
    capture_pageview: 'history_change', // one $pageview per App Router navigation
    capture_pageleave: false,
    autocapture: false, // element text can hold customer names and emails: events are explicit
    disable_session_recording: true,
    disable_surveys: true,
    disable_external_dependency_loading: true,
    // Server-evaluated flags: no flicker, and no flags request on load.
    bootstrap: { featureFlags: options.flags, ...(options.identity ? { distinctID: options.identity.userId, isIdentifiedID: true } : {}) },
    advanced_disable_feature_flags_on_first_load: true,
    before_send: (event) => {
      if (!event) return event
      for (const key of URL_PROPERTIES) {
        const value = event.properties[key]
        if (typeof value === 'string') event.properties[key] = stripUrlQuery(value)
      }
      return event
    },
  })
  setIdentity(options.identity)
}

function stripUrlQuery(value: string): string {
  try {
    const url = new URL(value)
    return `${url.origin}${stripQueryValues(url.pathname + url.search)}`
  } catch {
    return stripQueryValues(value)
  }
}

export function setIdentity(identity: BrowserIdentity) {
  if (identity) {
    if (posthog.get_distinct_id() !== identity.userId) posthog.identify(identity.userId) // ID only: no email, no name
    posthog.group('organization', identity.orgId)
  } else if (posthog.get_property('$user_state') === 'identified') {
    posthog.reset() // signed out: the next visitor on this browser is a new person
  }
}

export function capture<E extends EventName>(event: E, properties: EventProps<E>) {
  posthog.capture(event, properties)
}
