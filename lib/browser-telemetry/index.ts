// Browser telemetry, the server's side: POST /api/browser-events (receive.ts). The browser's
// side is client.ts; the route patterns both use are route-pattern.ts.
import 'server-only'

export { receiveBrowserEvents, type ReceiveOptions } from './receive'
export { BROWSER_EVENTS_PATH, MAX_BODY_BYTES } from './limits'
export { OTHER_ROUTE, ROUTE_PATTERNS, routeLabelOf, routePatternOf } from './route-pattern'
