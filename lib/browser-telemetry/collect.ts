// The browser's telemetry, loaded by client.ts with import() once the page is idle (at once under
// `next dev`), so none of it counts toward first-load JS: the beacon, the route patterns and the
// listeners below come with it.
import { onTrack } from '../analytics/client'
import { currentPageRequestId } from '../request/client'
import { queueEntry } from './beacon'
import { MAX_MESSAGE_LENGTH, MAX_STACK_LENGTH } from './limits'
import { routePatternOf } from './route-pattern'

const here = () => ({ route: routePatternOf(window.location.pathname), requestId: currentPageRequestId() })

function startVitals(): void {
  // Every vital belongs to the page load that started here (web-vitals reports LCP, CLS and INP
  // later, when the page is hidden, possibly after client-side navigations): name that page.
  const page = here()
  void import('./vitals')
    .then(({ collectVitals }) => collectVitals((vital) => queueEntry({ type: 'vital', ...vital, ...page })))
    .catch(() => {}) // chunk failed to load (offline, mid-deploy): this page reports no vitals
}

/** `next dev` only: what would otherwise be seen only in the browser's console, for the inspector. */
function startDevelopmentFeeds(): void {
  const reportError = (kind: 'error' | 'unhandledrejection', reason: unknown, fallback: string) => {
    const error = reason instanceof Error ? reason : undefined
    queueEntry({
      type: 'error',
      kind,
      message: (error?.message ?? (typeof reason === 'string' ? reason : fallback)).slice(0, MAX_MESSAGE_LENGTH),
      ...(error?.stack ? { stack: error.stack.slice(0, MAX_STACK_LENGTH) } : {}),
      ...here(),
    })
  }
  window.addEventListener('error', (event) => reportError('error', event.error, event.message || 'error'))
  window.addEventListener('unhandledrejection', (event) =>
    reportError('unhandledrejection', event.reason, 'unhandled rejection'),
  )
  onTrack((event, properties) => queueEntry({ type: 'analytics', event, properties, ...here() }))
}

/** Starts what client.ts loaded this chunk for. */
export function collect(): void {
  startVitals()
  if (process.env.NODE_ENV === 'development') startDevelopmentFeeds()
}
