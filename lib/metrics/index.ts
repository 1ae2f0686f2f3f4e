// Prometheus metrics for the Node server: the registry and its series (registry.ts), the
// request counters fed by the request hook, and who may scrape /api/metrics (scrape-access.ts).
import 'server-only'

export { metrics, recordHttpRequest, routeLabel, type Metrics } from './registry'
export { scrapeDecision, type ScrapeDecision } from './scrape-access'
