// Prometheus metrics for the Node server: the registry and its series (registry.ts), the
// request counters fed by the request hook, the dependencies' states (dependencies.ts), and who
// may scrape /api/metrics (scrape-access.ts), and the metrics' own port (listener.ts, METRICS_PORT).
import 'server-only'

export {
  countedFromZero,
  countFeatureWorkFromZero,
  exposition,
  metrics,
  recordHttpRequest,
  recordWebVital,
  routeLabel,
  type Metrics,
} from './registry'
export { startMetricsListener, stopMetricsListener } from './listener'
export { recordDependencyState, watchDependency, type Dependency } from './dependencies'
export { scrapeDecision, type ScrapeDecision } from './scrape-access'
