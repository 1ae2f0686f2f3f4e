// POST /api/browser-events: what browsers report about the pages they were served. Checked
// before anything is kept (same origin, JSON, the client's budget of vitals, at most
// MAX_BODY_BYTES, the schema), then:
// - each Web Vital is observed in Prometheus by route pattern (browser_web_vital_seconds,
//   browser_cumulative_layout_shift) and sent to PostHog as a `web_vital` event through the
//   server's track(), so no key means no network and a debug log line, as for every event;
// - under `next dev`, every entry (vitals, errors, the page's analytics calls) is recorded for
//   the inspector under the request ID of the page it came from.
// The route a browser names is re-checked against the app's pages: anything else is `other`,
// so no beacon can add a label value.
import 'server-only'
import { track } from '../analytics'
import { readCapped } from '../http'
import { INSPECTOR_ENABLED, recordForInspector } from '../inspect'
import { recordWebVital } from '../metrics'
import { scrubData, scrubText } from '../privacy'
import { getRequestId } from '../request'
import { hasForeignOrigin } from '../security'
import { MAX_BODY_BYTES } from './limits'
import { routeLabelOf } from './route-pattern'
import { browserEventsBody, type BrowserEntry, type VitalEntry } from './schema'
import { spendVitalsBudget, vitalsBudgetSpent } from './vitals-budget'

const noStore = { 'Cache-Control': 'no-store' }

function answer(status: number, body?: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  if (!body) return new Response(null, { status, headers: { ...noStore, ...headers } })
  return Response.json(body, { status, headers: { ...noStore, ...headers } })
}

/**
 * A post another site made: the browser says so in `Sec-Fetch-Site`, or its `Origin` names
 * another host than the request's (the rule the proxy applies to server actions). A request
 * with neither (a script, curl) is not a browser acting for someone else.
 */
function isCrossSite(headers: Headers): boolean {
  const site = headers.get('sec-fetch-site')
  return (site !== null && site !== 'same-origin') || hasForeignOrigin(headers)
}

/** A beacon is small and sent at once: a body that trickles in is not one. */
const BODY_TIMEOUT_MS = 5000

/** Past its budget of vitals (vitals-budget.ts): when to try again, as `Retry-After` says too. */
function tooManyVitals(retryAfterSeconds: number, headers: Record<string, string> = {}): Response {
  return answer(
    429,
    { error: 'too_many_vitals', retry_after_seconds: retryAfterSeconds },
    { 'Retry-After': String(retryAfterSeconds), ...headers },
  )
}

export type ReceiveOptions = {
  /** The signed-in user's ID from the session cookie, if any: never one the browser names. */
  userId: () => Promise<string | undefined>
  /** The client's address as the deployment trusts it (lib/auth/client-ip.ts), if known. */
  client: () => string | undefined
}

export async function receiveBrowserEvents(request: Request, { userId, client }: ReceiveOptions): Promise<Response> {
  if (request.method !== 'POST') return answer(405, { error: 'method_not_allowed' }, { Allow: 'POST' })
  if (isCrossSite(request.headers)) return answer(403, { error: 'cross_origin' })
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
    return answer(415, { error: 'unsupported_media_type', message: 'Send the entries as application/json.' })
  const sender = client()
  const waitSeconds = await vitalsBudgetSpent(sender)
  if (waitSeconds > 0) return tooManyVitals(waitSeconds, { Connection: 'close' }) // body unread
  const read = await readCapped(request, { maxBytes: MAX_BODY_BYTES, timeoutMs: BODY_TIMEOUT_MS })
  if (!read.ok) return answer(read.status, { error: read.reason, max_bytes: MAX_BODY_BYTES }, { Connection: 'close' })
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(read.body))
  } catch {
    return answer(400, { error: 'invalid_json' })
  }
  const parsed = browserEventsBody.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    return answer(400, { error: 'invalid_entries', problems })
  }

  const entries: BrowserEntry[] = parsed.data.entries.map((entry) => ({ ...entry, route: routeLabelOf(entry.route) }))
  const vitals = entries.filter((entry): entry is VitalEntry => entry.type === 'vital')
  if (vitals.length > 0) {
    const retryAfterSeconds = await spendVitalsBudget(sender, vitals.length)
    if (retryAfterSeconds > 0) return tooManyVitals(retryAfterSeconds)
  }
  for (const vital of vitals) recordWebVital(vital)
  if (vitals.length > 0) {
    const distinctId = await userId().catch(() => undefined) // no session (or no database): anonymous
    for (const vital of vitals) await trackVital(vital, distinctId)
  }
  if (INSPECTOR_ENABLED) await recordForPage(entries)
  return answer(204)
}

async function trackVital(vital: VitalEntry, distinctId: string | undefined): Promise<void> {
  await track(
    'web_vital',
    {
      feature: 'performance',
      surface: 'page',
      name: vital.name,
      value: vital.value,
      rating: vital.rating,
      route: vital.route,
      ...(vital.navigationType ? { navigation_type: vital.navigationType } : {}),
      ...(vital.requestId ? { page_request_id: vital.requestId } : {}),
    },
    { distinctId },
  )
}

/** `next dev`: each entry under the page's request (or, not knowing it, the beacon's own). */
async function recordForPage(entries: BrowserEntry[]): Promise<void> {
  const beaconRequestId = await getRequestId()
  for (const entry of entries) {
    const { requestId, ...rest } = entry
    const data =
      rest.type === 'error'
        ? { ...rest, message: scrubText(rest.message), ...(rest.stack ? { stack: scrubText(rest.stack) } : {}) }
        : rest.type === 'analytics'
          ? { ...rest, properties: scrubData(rest.properties) }
          : rest
    recordForInspector(requestId ?? beaconRequestId, 'browser', {
      ...data,
      surface: 'browser',
      beacon_request_id: beaconRequestId,
    })
  }
}
