// The only browser file that imports posthog-js. Loaded with a dynamic import after
// hydration (lib/analytics/provider.tsx), so the SDK never costs first paint.
import posthog from 'posthog-js'
import { stripQueryValuesFromUrls } from '../privacy'
import type { EventName, EventProps } from './events'

export type BrowserIdentity = { userId: string; orgId: string } | null

export function startPostHog(key: string, options: { flags: Record<string, boolean>; identity: BrowserIdentity }) {
  posthog.init(key, {
    api_host: '/ingest', // same origin: app/ingest forwards to PostHog (lib/analytics/ingest.ts)
    ui_host: process.env.NEXT_PUBLIC_POSTHOG_UI_HOST,
    person_profiles: 'identified_only',
    capture_pageview: 'history_change', // one $pageview per App Router navigation
    capture_pageleave: false,
    autocapture: false, // element text can hold customer names and emails: events are explicit
    // Every feature that would talk to a PostHog path /ingest does not forward, or load a
    // script, is off here by name, not left to a default (docs/security.md, the forwarder).
    disable_session_recording: true,
    disable_surveys: true,
    disable_product_tours: true,
    disable_conversations: true,
    disable_web_experiments: true,
    opt_in_site_apps: false,
    disable_external_dependency_loading: true,
    // Not in a cookie: cookies go with every request to our origin (/ingest forwards none to
    // PostHog, but there is no reason to keep the first URL of a visit, query and all, in one).
    persistence: 'localStorage',
    // Server-evaluated flags: no flicker, and no /flags request from the browser ever. Its
    // body carries person properties (the initial URL) that before_send never sees.
    bootstrap: {
      featureFlags: options.flags,
      ...(options.identity ? { distinctID: options.identity.userId, isIdentifiedID: true } : {}),
    },
    advanced_disable_flags: true,
    // No query-string values anywhere in an event: every URL-valued property, at any depth
    // ($current_url, $session_entry_url, $referrer, $initial_* inside $set_once…), keeps only
    // its parameter names. A callbackUrl or a search box's q= can carry emails and tokens.
    before_send: (event) => (event ? stripQueryValuesFromUrls(event) : event),
  })
  setIdentity(options.identity)
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
