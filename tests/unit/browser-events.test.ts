// POST /api/browser-events (lib/browser-telemetry): what a browser may send, what the server
// makes of it (Prometheus histograms read back from the real registry's exposition, a
// `web_vital` event through the analytics adapter, inspector entries under `next dev`), and
// what it refuses. The route patterns are checked against the pages in app/.
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RequestContext } from '@/lib/request/context'

vi.mock('next/server', () => ({ after: (task: () => unknown) => void task() }))
vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', '') // the console adapter: no network

const PAGE_REQUEST_ID = 'page-request-0001'
/** The client address the route would have settled on (lib/auth/client-ip.ts). */
const CLIENT = '198.51.100.7'
const BEACON_REQUEST_ID = 'beacon-request-0001'

/**
 * Loads the room fresh, with NODE_ENV as given (the inspector reads it at load time). Not
 * `production`: env() would then want the production variables; `test` has the inspector off too.
 */
async function load(nodeEnv: 'test' | 'development' = 'test') {
  vi.resetModules()
  vi.stubEnv('NODE_ENV', nodeEnv)
  // The analytics adapter is one per process (lib/singleton.ts): made again from the fresh modules,
  // so the spy below sees its sends.
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.analytics')]
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.vitalsBudget')] // every test its own budgets
  const telemetry = await import('@/lib/browser-telemetry')
  const schema = await import('@/lib/browser-telemetry/schema')
  const { metrics, exposition } = await import('@/lib/metrics/registry')
  const { ConsoleAnalytics } = await import('@/lib/analytics/console-adapter')
  const inspect = await import('@/lib/inspect')
  const { requestContextStorage } = await import('@/lib/request/context')
  inspect.forgetInspectedRequests()
  metrics().browserWebVital.reset()
  metrics().browserLayoutShift.reset()
  const capture = vi.spyOn(ConsoleAnalytics.prototype, 'capture')
  /** receiveBrowserEvents() as the route calls it, inside the beacon request's context. */
  /** `client`: the address the route settled on; null when it could not tell. */
  const receive = (request: Request, userId?: string, client: string | null = CLIENT) => {
    const context: RequestContext = { requestId: BEACON_REQUEST_ID, requestIdSource: 'server', startedAt: Date.now() }
    return requestContextStorage.run(context, () =>
      telemetry.receiveBrowserEvents(request, { userId: async () => userId, client: () => client ?? undefined }),
    )
  }
  const scrape = async () => (await exposition(undefined)).body
  return { ...telemetry, ...schema, inspect, capture, receive, scrape }
}

const vital = (overrides: Record<string, unknown> = {}) => ({
  type: 'vital',
  name: 'LCP',
  value: 1234,
  rating: 'good',
  id: 'v6-1700000000000-1234567890',
  navigationType: 'navigate',
  route: '/customers/[id]',
  requestId: PAGE_REQUEST_ID,
  ...overrides,
})

const post = (body: unknown, headers: Record<string, string> = {}) =>
  new Request('http://localhost:3000/api/browser-events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: 'localhost:3000', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
  vi.stubEnv('NEXT_PUBLIC_POSTHOG_KEY', '')
})

describe('route patterns', () => {
  it('lists exactly the pages in app/ (route groups left out)', async () => {
    const { ROUTE_PATTERNS } = await load()
    const pages = readdirSync('app', { recursive: true, encoding: 'utf8' })
      .filter((file) => /(^|\/)page(\.dev)?\.tsx$/.test(file))
      .map((file) => {
        const segments = path
          .dirname(file)
          .split('/')
          .filter((segment) => segment !== '.' && !/^\(.*\)$/.test(segment))
        return `/${segments.join('/')}`
      })
    expect([...ROUTE_PATTERNS].sort()).toEqual(pages.sort())
  })

  it('names a path by its pattern, and anything else other', async () => {
    const { routePatternOf, routeLabelOf } = await load()
    expect(routePatternOf('/customers/3f2a-44b1')).toBe('/customers/[id]')
    expect(routePatternOf('/customers')).toBe('/customers')
    expect(routePatternOf('/customers/')).toBe('/customers')
    expect(routePatternOf('/')).toBe('/')
    expect(routePatternOf('/customers/a/b')).toBe('other')
    expect(routePatternOf('/wp-admin.php')).toBe('other')
    expect(routeLabelOf('/customers/[id]')).toBe('/customers/[id]')
    expect(routeLabelOf('/customers/3f2a')).toBe('other') // a raw path is never a label
    expect(routeLabelOf(42)).toBe('other')
  })
})

describe('the beacon schema', () => {
  it('takes vitals, errors and analytics entries', async () => {
    const { browserEventsBody } = await load()
    const body = {
      entries: [
        vital(),
        vital({ name: 'CLS', value: 0.02 }),
        vital({ name: 'FCP', value: 800, requestId: undefined }),
        { type: 'error', kind: 'error', message: 'boom', stack: 'Error: boom\n at x', route: '/' },
        { type: 'analytics', event: 'customers_drawer_opened', properties: { mode: 'create' }, route: '/customers' },
      ],
    }
    expect(browserEventsBody.safeParse(body).success).toBe(true)
  })

  it.each([
    ['an unknown metric', { entries: [vital({ name: 'FID' })] }],
    ['a negative value', { entries: [vital({ value: -1 })] }],
    ['a time past ten minutes', { entries: [vital({ value: 600_001 })] }],
    ['a CLS past 100', { entries: [vital({ name: 'CLS', value: 101 })] }],
    ['a bad request ID', { entries: [vital({ requestId: 'id with spaces\n' })] }],
    ['an overlong request ID', { entries: [vital({ requestId: 'a'.repeat(129) })] }],
    ['an unknown rating', { entries: [vital({ rating: 'great' })] }],
    ['an overlong route', { entries: [vital({ route: `/${'a'.repeat(300)}` })] }],
    ['no entries', { entries: [] }],
    ['too many entries', { entries: Array.from({ length: 41 }, () => vital()) }],
    ['an unknown entry type', { entries: [{ type: 'log', route: '/' }] }],
    [
      'an overlong error message',
      { entries: [{ type: 'error', kind: 'error', message: 'x'.repeat(1001), route: '/' }] },
    ],
    [
      'a nested analytics property',
      { entries: [{ type: 'analytics', event: 'e', properties: { a: { b: 1 } }, route: '/' }] },
    ],
  ])('refuses %s', async (_, body) => {
    const { browserEventsBody } = await load()
    expect(browserEventsBody.safeParse(body).success).toBe(false)
  })
})

describe('receiveBrowserEvents()', () => {
  it('observes each vital by name and route pattern, in seconds (CLS unitless), and sends web_vital', async () => {
    const { receive, scrape, capture } = await load()
    const response = await receive(
      post({
        entries: [
          vital({ name: 'LCP', value: 1500 }),
          vital({ name: 'INP', value: 120, route: '/customers' }),
          vital({ name: 'CLS', value: 0.07 }),
          vital({ name: 'TTFB', value: 90, route: '/customers/3f2a-44b1' }), // a raw path: filed as other
        ],
      }),
      'user-1',
    )
    expect(response.status).toBe(204)
    const text = await scrape()
    expect(text).toMatch(/^browser_web_vital_seconds_sum\{name="LCP",route="\/customers\/\[id\]"\} 1\.5$/m)
    expect(text).toMatch(/^browser_web_vital_seconds_bucket\{le="0\.2",name="INP",route="\/customers"\} 1$/m)
    expect(text).toMatch(/^browser_web_vital_seconds_count\{name="TTFB",route="other"\} 1$/m)
    expect(text).toMatch(/^browser_cumulative_layout_shift_sum\{route="\/customers\/\[id\]"\} 0\.07$/m)
    expect(text).not.toContain('3f2a-44b1') // no raw path in any label

    await vi.waitFor(() => expect(capture).toHaveBeenCalledTimes(4))
    const sent = capture.mock.calls.map(([event]) => event as { properties: Record<string, unknown> })
    const lcp = sent.find((event) => event.properties.name === 'LCP')!
    expect(lcp).toMatchObject({
      event: 'web_vital',
      distinctId: 'user-1', // from the session, never from the body
      properties: {
        feature: 'performance',
        surface: 'page',
        name: 'LCP',
        value: 1500,
        rating: 'good',
        route: '/customers/[id]',
        navigation_type: 'navigate',
        page_request_id: PAGE_REQUEST_ID,
        request_id: BEACON_REQUEST_ID,
      },
    })
    const ttfb = sent.find((event) => event.properties.name === 'TTFB')!
    expect(ttfb.properties.route).toBe('other')
  })

  it('sends anonymous vitals without a session, and records nothing for the inspector outside next dev', async () => {
    const { receive, capture, inspect } = await load('test')
    expect((await receive(post({ entries: [vital()] }))).status).toBe(204)
    await vi.waitFor(() => expect(capture).toHaveBeenCalledTimes(1))
    expect(capture.mock.calls[0]![0].distinctId).toBeUndefined()
    expect(capture.mock.calls[0]![0].anonymousId).toEqual(expect.any(String))
    expect(inspect.inspectedRequest(PAGE_REQUEST_ID)).toBeUndefined()
  })

  it('with the database down (the session cannot be read), still takes the vitals, anonymously', async () => {
    const { receiveBrowserEvents, capture, scrape } = await load('test')
    const databaseDown = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    }
    expect(
      (await receiveBrowserEvents(post({ entries: [vital()] }), { userId: databaseDown, client: () => CLIENT })).status,
    ).toBe(204)
    expect(await scrape()).toMatch(/browser_web_vital_seconds_count\{name="LCP",route="\/customers\/\[id\]"\} 1/)
    await vi.waitFor(() => expect(capture).toHaveBeenCalledTimes(1))
    expect(capture.mock.calls[0]![0].distinctId).toBeUndefined()
  })

  it("under next dev, files vitals, scrubbed errors and analytics calls under the page's request", async () => {
    const { receive, inspect } = await load('development')
    const response = await receive(
      post({
        entries: [
          vital(),
          {
            type: 'error',
            kind: 'unhandledrejection',
            message: 'failed for ada@example.com at /customers?q=ada after /cb#access_token=fragsecret456',
            stack: 'Error: x\n    at http://localhost:3000/_next/static/chunks/a.js?token=secret123:1:2',
            route: '/customers',
            requestId: PAGE_REQUEST_ID,
          },
          {
            type: 'analytics',
            event: 'customers_drawer_opened',
            properties: { feature: 'customers', surface: 'customers_drawer', mode: 'create' },
            route: '/customers',
            requestId: PAGE_REQUEST_ID,
          },
          vital({ name: 'TTFB', requestId: undefined }), // no page ID: filed under the beacon's
        ],
      }),
    )
    expect(response.status).toBe(204)
    const page = inspect.inspectedRequest(PAGE_REQUEST_ID)!
    const browser = page.entries.filter((entry) => entry.kind === 'browser').map((entry) => entry.data)
    expect(browser.map((data) => data.type)).toEqual(['vital', 'error', 'analytics'])
    expect(browser[0]).toMatchObject({ type: 'vital', name: 'LCP', route: '/customers/[id]', surface: 'browser' })
    expect(browser[2]).toMatchObject({
      type: 'analytics',
      event: 'customers_drawer_opened',
      surface: 'browser',
      properties: { mode: 'create' },
    })
    const error = JSON.stringify(browser[1])
    for (const leaked of ['ada@example.com', 'q=ada', 'secret123', 'fragsecret456']) expect(error).not.toContain(leaked)
    expect(browser[1]).toMatchObject({ kind: 'unhandledrejection', beacon_request_id: BEACON_REQUEST_ID })
    const beacon = inspect.inspectedRequest(BEACON_REQUEST_ID)!
    expect(beacon.entries.some((entry) => entry.kind === 'browser' && entry.data.name === 'TTFB')).toBe(true)
    // The server's own web_vital events are the beacon request's analytics.
    expect(beacon.entries.filter((entry) => entry.kind === 'analytics')).toHaveLength(2)
  })

  it.each([
    ['malformed JSON', post('{"entries": ['), 400, 'invalid_json'],
    ['entries the schema refuses', post({ entries: [vital({ name: 'FID' })] }), 400, 'invalid_entries'],
    ['a body past 16 KiB', post({ entries: [vital({ id: 'x'.repeat(17_000) })] }), 413, undefined],
    [
      'a text/plain body',
      post({ entries: [vital()] }, { 'content-type': 'text/plain' }),
      415,
      'unsupported_media_type',
    ],
    ['another site', post({ entries: [vital()] }, { origin: 'https://evil.example' }), 403, 'cross_origin'],
    ['a cross-site fetch', post({ entries: [vital()] }, { 'sec-fetch-site': 'cross-site' }), 403, 'cross_origin'],
    ['a GET', new Request('http://localhost:3000/api/browser-events'), 405, 'method_not_allowed'],
  ])('refuses %s', async (_, request, status, error) => {
    const { receive, scrape, capture } = await load()
    const response = await receive(request)
    expect(response.status).toBe(status)
    const body = (await response.json()) as { error: string; problems?: string[] }
    if (error) expect(body.error).toBe(error)
    if (error === 'invalid_entries') expect(body.problems?.[0]).toMatch(/^entries\.0\.name: /)
    if (status === 405) expect(response.headers.get('allow')).toBe('POST')
    expect(await scrape()).not.toMatch(/^browser_web_vital_seconds_count/m)
    expect(capture).not.toHaveBeenCalled()
  })

  it('takes a same-origin beacon (Origin and Sec-Fetch-Site as a browser sends them)', async () => {
    const { receive } = await load()
    const response = await receive(
      post({ entries: [vital()] }, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' }),
    )
    expect(response.status).toBe(204)
  })
})

describe('the budget of vitals per client', () => {
  const beaconOf = (count: number, overrides: Record<string, unknown> = {}) =>
    post({ entries: Array.from({ length: count }, () => vital(overrides)) })
  const lcpCount = (exposition: string) =>
    Number(
      /^browser_web_vital_seconds_count\{name="LCP",route="\/customers\/\[id\]"\} (\d+)$/m.exec(exposition)?.[1] ?? 0,
    )

  it('takes a client’s vitals up to the budget, then refuses with 429 and Retry-After and keeps nothing', async () => {
    const { receive, scrape, capture } = await load()
    const { MAX_VITALS_PER_CLIENT_PER_MINUTE: budget } = await import('@/lib/browser-telemetry/limits')
    expect(budget % 40).toBe(0) // whole beacons of 40 spend it exactly
    for (let sent = 0; sent < budget; sent += 40) expect((await receive(beaconOf(40))).status).toBe(204)

    const refused = await receive(beaconOf(1))
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(await refused.json()).toEqual({ error: 'too_many_vitals', retry_after_seconds: retryAfter })

    expect(lcpCount(await scrape())).toBe(budget)
    await vi.waitFor(() => expect(capture).toHaveBeenCalledTimes(budget))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(capture).toHaveBeenCalledTimes(budget) // nothing of the refused beacon reached PostHog

    // Another address has its own budget.
    expect((await receive(beaconOf(1), undefined, '203.0.113.9')).status).toBe(204)
    expect(lcpCount(await scrape())).toBe(budget + 1)
  })

  it('refuses a client past its budget before reading the body, and closes the connection', async () => {
    const { receive, MAX_BODY_BYTES } = await load()
    expect(MAX_BODY_BYTES).toBeGreaterThan(0)
    for (let sent = 0; sent < 120; sent += 40) await receive(beaconOf(40))
    let pulled = false
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled = true
          controller.enqueue(new TextEncoder().encode(JSON.stringify({ entries: [vital()] })))
          controller.close()
        },
      },
      { highWaterMark: 0 },
    ) // pulled only when the handler reads
    const request = new Request('http://localhost:3000/api/browser-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    const response = await receive(request)
    expect(response.status).toBe(429)
    expect(response.headers.get('connection')).toBe('close')
    expect(pulled).toBe(false)
  })

  it('refuses whole a beacon larger than what is left, and counts it, so a flood stays refused', async () => {
    const { receive, scrape } = await load()
    expect((await receive(beaconOf(40))).status).toBe(204)
    expect((await receive(beaconOf(40))).status).toBe(204)
    expect((await receive(beaconOf(30))).status).toBe(204) // 110 of 120
    expect((await receive(beaconOf(20))).status).toBe(429) // 10 were left: none of the 20 is kept
    expect((await receive(beaconOf(1))).status).toBe(429)
    expect(lcpCount(await scrape())).toBe(110)
  })

  it('gives the budget back after the minute', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    try {
      const { receive } = await load()
      for (let sent = 0; sent < 120; sent += 40) await receive(beaconOf(40))
      expect((await receive(beaconOf(1))).status).toBe(429)
      vi.advanceTimersByTime(30_000)
      expect((await receive(beaconOf(1))).status).toBe(429)
      vi.advanceTimersByTime(30_001)
      expect((await receive(beaconOf(1))).status).toBe(204)
    } finally {
      vi.useRealTimers()
    }
  })

  it('gives it back when the minute is over even if the window’s timer has not run yet (a busy event loop)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }) // the clock moves; the limiter's timeout does not fire
    try {
      const { receive } = await load()
      for (let sent = 0; sent < 120; sent += 40) await receive(beaconOf(40))
      expect((await receive(beaconOf(1))).status).toBe(429)
      vi.setSystemTime(Date.now() + 60_001)
      expect((await receive(beaconOf(40))).status).toBe(204)
    } finally {
      vi.useRealTimers()
    }
  })

  it('puts clients whose address is unknown in one shared budget', async () => {
    const { receive } = await load()
    for (let sent = 0; sent < 120; sent += 40) expect((await receive(beaconOf(40), undefined, null)).status).toBe(204)
    expect((await receive(beaconOf(1), undefined, null)).status).toBe(429)
    expect((await receive(beaconOf(1))).status).toBe(204) // a known address is not in that bucket
  })

  it('under next dev, counts only vitals: errors and analytics calls go to the inspector alone', async () => {
    const { receive } = await load('development')
    const analytics = { type: 'analytics', event: 'e', properties: {}, route: '/', requestId: PAGE_REQUEST_ID }
    for (let beacon = 0; beacon < 5; beacon++)
      expect((await receive(post({ entries: Array.from({ length: 40 }, () => analytics) }))).status).toBe(204)
    expect((await receive(beaconOf(40))).status).toBe(204)
  })
})
