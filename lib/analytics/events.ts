// The event catalog: every analytics event, its properties, and the feature and surface it
// belongs to. "Which features earn their maintenance cost?" is then one GROUP BY feature away.
// Add an event here first; both track() entry points accept only what this file declares.

/** The product's features: analytics events and server work (feature_work_seconds) are tagged with one. */
export const FEATURES = ['auth', 'customers'] as const
export type Feature = (typeof FEATURES)[number]

/**
 * What events may be tagged with: the features, plus `performance`, which is how the product
 * feels rather than a feature of it (Web Vitals). Kept out of FEATURES, which start-up counts
 * server work for (feature_work_seconds): no server action or API handler serves it.
 */
export type EventFeature = Feature | 'performance'

/** Where in the product the event happened. */
export type Surface =
  | 'sign_up_form'
  | 'sign_in_form'
  | 'github_oauth'
  | 'app_shell'
  | 'customers_list'
  | 'customers_drawer'
  | 'api'
  | 'page'

export type Source = 'manual' | 'api'

/** Properties every event carries. `feature` and `surface` are required: leaving one out is a type error. */
type Tagged<F extends EventFeature> = {
  feature: F
  surface: Surface
  org_id?: string
  source?: Source
}

export type EventCatalog = {
  signed_up: Tagged<'auth'> & { method: 'credentials' | 'github' }
  signed_in: Tagged<'auth'> & { method: 'credentials' | 'github' }
  signed_out: Tagged<'auth'>
  customer_created: Tagged<'customers'> & { source: Source }
  customer_updated: Tagged<'customers'> & { changed_fields: number }
  customer_deleted: Tagged<'customers'>
  customers_drawer_opened: Tagged<'customers'> & { mode: 'create' | 'edit' }
  /** One Web Vital of a page load, sent by the server from the browser's beacon (lib/browser-telemetry). */
  web_vital: Tagged<'performance'> & {
    name: 'LCP' | 'INP' | 'CLS' | 'TTFB' | 'FCP'
    /** Milliseconds, or unitless for CLS, as web-vitals reports it. */
    value: number
    rating: 'good' | 'needs-improvement' | 'poor'
    /** The route pattern (`/customers/[id]`), never the URL. */
    route: string
    navigation_type?: string
    /** The request that served the page (the beacon's own is `request_id`). */
    page_request_id?: string
  }
}

export type EventName = keyof EventCatalog
export type EventProps<E extends EventName> = EventCatalog[E]

/** Runtime list of the catalog (docs and tests check it against docs/analytics.md). */
export const EVENT_FEATURES = {
  signed_up: 'auth',
  signed_in: 'auth',
  signed_out: 'auth',
  customer_created: 'customers',
  customer_updated: 'customers',
  customer_deleted: 'customers',
  customers_drawer_opened: 'customers',
  web_vital: 'performance',
} as const satisfies { [E in EventName]: EventCatalog[E]['feature'] }

/** PostHog group type for organizations; `group('organization', orgId)` on the client. */
export const ORGANIZATION_GROUP = 'organization'
