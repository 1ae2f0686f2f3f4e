// Prometheus metrics for the Node server (prom-client). One registry per process, shared by
// every bundle chunk (lib/singleton.ts). Label values are bounded: routes are patterns, never
// concrete paths, so cardinality does not grow with the data.
import client from 'prom-client'
import type { AccessRecord } from '../request'
import { perProcess } from '../singleton'

/** From 5 ms to 10 s: a route or an action, fast or slow, lands in a bucket that tells them apart. */
const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/**
 * Around Google's thresholds for "good" and "poor" (INP 0.2/0.5 s, TTFB 0.8/1.8 s, FCP 1.8/3 s,
 * LCP 2.5/4 s), so the share of good page loads is one bucket ratio away.
 */
const WEB_VITAL_BUCKETS_SECONDS = [0.05, 0.1, 0.2, 0.5, 0.8, 1, 1.8, 2.5, 3, 4, 6, 10]
/** CLS thresholds: good up to 0.1, poor past 0.25. */
const LAYOUT_SHIFT_BUCKETS = [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1]

function createMetrics() {
  const registry = new client.Registry()
  client.collectDefaultMetrics({ register: registry })
  // Gauges that break Prometheus naming rules (promtool rejects "_total" on a non-counter); the
  // per-type nodejs_active_handles / _requests / _resources gauges carry the same numbers.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name)
  }
  return {
    registry,
    httpRequests: new client.Counter({
      name: 'http_server_requests_total',
      help: 'HTTP requests handled, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: withExemplars(
      registry,
      new client.Histogram({
        name: 'http_server_request_duration_seconds',
        help: 'Time from receiving a request to finishing its response, by method and route pattern.',
        labelNames: ['method', 'route'] as const,
        buckets: LATENCY_BUCKETS_SECONDS,
        // Each bucket keeps its latest traced observation's trace_id: from a slow bucket to a trace.
        enableExemplars: true,
        registers: [], // see withExemplars
      }),
    ),
    auditLogWrites: countedFromZero(
      new client.Counter({
        name: 'audit_log_writes_total',
        help: 'Audit log writes after the response, by result (ok; error: the insert failed; dropped: too many writes were waiting, or not written by the shutdown deadline).',
        labelNames: ['result'] as const,
        registers: [registry],
      }),
      AUDIT_LOG_WRITE_RESULTS.map((result) => ({ result })),
    ),
    logLinesDropped: gaugeReadAtScrape({
      name: 'log_lines_dropped',
      help: 'Log lines this process dropped since it started because nothing was reading its stdout and 16 MiB were already waiting, read at scrape time.',
      registers: [registry],
    }),
    auditLogWritesPending: gaugeReadAtScrape({
      name: 'audit_log_writes_pending',
      help: 'Audit log writes not finished yet: those running plus those waiting for a slot (the backlog), read at scrape time.',
      registers: [registry],
    }),
    analyticsEvents: countedFromZero(
      new client.Counter({
        name: 'analytics_events_total',
        help: 'Server-side analytics events, by result (ok; error: the send failed; dropped: not sent by the shutdown deadline, or not taken because 1,000 were already held).',
        labelNames: ['result'] as const,
        registers: [registry],
      }),
      ANALYTICS_EVENT_RESULTS.map((result) => ({ result })),
    ),
    featureFlagEvaluations: new client.Counter({
      name: 'feature_flag_evaluations_total',
      help: 'Feature flag evaluations, by flag and result (backend, default, timeout, error, or paused: the backend failed recently and was not asked).',
      labelNames: ['flag', 'result'] as const,
      registers: [registry],
    }),
    featureWork: withExemplars(
      registry,
      new client.Histogram({
        name: 'feature_work_seconds',
        help: 'Time spent in server actions (kind="action") and API route handlers (kind="api"), by the product feature they serve.',
        labelNames: ['feature', 'kind'] as const,
        buckets: LATENCY_BUCKETS_SECONDS,
        enableExemplars: true,
        registers: [], // see withExemplars
      }),
    ),
    browserWebVital: new client.Histogram({
      name: 'browser_web_vital_seconds',
      help: "Web Vitals measured in visitors' browsers (LCP, INP, TTFB, FCP), by name and route pattern.",
      labelNames: ['name', 'route'] as const,
      buckets: WEB_VITAL_BUCKETS_SECONDS,
      registers: [registry],
    }),
    browserLayoutShift: new client.Histogram({
      name: 'browser_cumulative_layout_shift',
      help: "Cumulative Layout Shift measured in visitors' browsers (unitless), by route pattern.",
      labelNames: ['route'] as const,
      buckets: LAYOUT_SHIFT_BUCKETS,
      registers: [registry],
    }),
    dependencyState: new client.Gauge({
      name: 'dependency_state',
      help: 'Each configured dependency (database, posthog, sentry, otlp_collector) by state: 1 for the state it was last seen in (unknown before the first observation), 0 for the others.',
      labelNames: ['dependency', 'state'] as const,
      registers: [registry],
    }),
  }
}

/**
 * Registers a histogram that keeps exemplars. prom-client refuses one at construction on a
 * text-format registry, because that format cannot show them; this registry serves both formats
 * (exposition() renders OpenMetrics, exemplars included, from views of the same metrics), so it
 * is registered here directly. A text scrape simply leaves the exemplars out.
 */
function withExemplars<H extends client.Histogram<string>>(registry: client.Registry, histogram: H): H {
  registry.registerMetric(histogram)
  return histogram
}

export const AUDIT_LOG_WRITE_RESULTS = ['ok', 'error', 'dropped'] as const
export const ANALYTICS_EVENT_RESULTS = ['ok', 'error', 'dropped'] as const

/**
 * Creates each of `labelSets`' series at 0 now. A series that first appears at its first
 * increment hides that increment from rate() and increase(), and an alert on it has nothing to
 * compare with before the first failure; with every known label value present from the first
 * scrape, both work. For counters whose label values are known in advance only: a label that
 * grows with traffic (http_server_requests_total's route and status) would create series for
 * combinations that never happen.
 */
export function countedFromZero<L extends string>(
  counter: client.Counter<L>,
  labelSets: readonly Partial<Record<L, string>>[],
): client.Counter<L> {
  for (const labels of labelSets) counter.inc(labels, 0) // adds nothing to a series that exists
  return counter
}

/**
 * A gauge whose value is read when Prometheus scrapes, from the function its owner gives
 * `readFrom()` (0 until then): the owner keeps the number, metrics only asks for it. The reader
 * lives in this per-process object, so every bundle chunk's owner sets the same one.
 */
function gaugeReadAtScrape(config: { name: string; help: string; registers: client.Registry[] }) {
  let read = () => 0
  new client.Gauge({
    ...config,
    collect() {
      this.set(read())
    },
  })
  return {
    readFrom(reader: () => number) {
      read = reader
    },
  }
}

const OPENMETRICS = 'application/openmetrics-text'

/**
 * The exposition for a scrape (/api/metrics and the METRICS_PORT listener): OpenMetrics when the
 * scraper's Accept asks for it (Prometheus does), the only format that carries exemplars, else
 * Prometheus's text format.
 */
export async function exposition(accept: string | null | undefined): Promise<{ body: string; contentType: string }> {
  const { registry } = metrics()
  if (!accept?.includes(OPENMETRICS)) return { body: await registry.metrics(), contentType: registry.contentType }
  // prom-client writes OpenMetrics by renaming each counter in place (`x_total` → `x`), which would
  // leave every later text scrape without its `_total`s. So it renders views of the metrics
  // instead (Object.create: same values, own name), and the renaming stays on the views.
  const openMetrics = new client.Registry<client.OpenMetricsContentType>()
  openMetrics.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE)
  for (const metric of registry.getMetricsAsArray()) openMetrics.registerMetric(Object.create(metric))
  return { body: await openMetrics.metrics(), contentType: openMetrics.contentType }
}

export type Metrics = ReturnType<typeof createMetrics>

export function metrics(): Metrics {
  return perProcess('metrics', createMetrics)
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** The route label: the pattern when known, else one of two fixed buckets. */
export function routeLabel(record: Pick<AccessRecord, 'route' | 'path'>): string {
  if (record.route) return record.route
  return record.path.startsWith('/_next/') ? '/_next/*' : 'unmatched'
}

export const FEATURE_WORK_KINDS = ['action', 'api'] as const

/** The features whose work is counted: start-up names them, from the event catalog (lib/analytics). */
const countedFeatures = () => perProcess('countedFeatures', () => new Set<string>())

/**
 * Every feature × kind series of feature_work_seconds at 0 from the first scrape, so "which
 * feature costs most?" compares every feature, idle ones included. Only these features are counted.
 */
export function countFeatureWorkFromZero(features: readonly string[]): void {
  for (const feature of features) {
    countedFeatures().add(feature)
    for (const kind of FEATURE_WORK_KINDS) metrics().featureWork.zero({ feature, kind })
  }
}

/**
 * One Web Vital from a browser (lib/browser-telemetry). `route` must already be a known route
 * pattern or `other`: the caller checks it, since a browser can claim anything. Times arrive
 * in milliseconds, as web-vitals reports them.
 */
export function recordWebVital(vital: { name: 'LCP' | 'INP' | 'TTFB' | 'FCP' | 'CLS'; value: number; route: string }) {
  const m = metrics()
  if (vital.name === 'CLS') m.browserLayoutShift.observe({ route: vital.route }, vital.value)
  else m.browserWebVital.observe({ name: vital.name, route: vital.route }, vital.value / 1000)
}

export function recordHttpRequest(record: AccessRecord): void {
  const m = metrics()
  const method = KNOWN_METHODS.has(record.method) ? record.method : 'OTHER'
  const route = routeLabel(record)
  m.httpRequests.inc({ method, route, status: String(record.status) })
  // The request's trace, when it was traced, as the exemplar: only the OpenMetrics format shows it.
  // (prom-client types exemplar labels as the metric's own labels; any names are valid there.)
  const exemplarLabels = (record.context.traceId ? { trace_id: record.context.traceId } : undefined) as
    Record<never, string> | undefined
  m.httpDuration.observe({ labels: { method, route }, value: record.durationMs / 1000, exemplarLabels })
  // The actions and API handlers this request ran (lib/errors measures them), by feature.
  const { featureWork } = record.context
  if (!featureWork) return
  for (const work of featureWork) {
    if (!countedFeatures().has(work.feature)) continue
    m.featureWork.observe({ labels: { feature: work.feature, kind: work.kind }, value: work.ms / 1000, exemplarLabels })
  }
}
