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
  const receive = (request: Request, userId?: string) => {
    const context: RequestContext = { requestId: BEACON_REQUEST_ID, requestIdSource: 'server', startedAt: Date.now() }
    return requestContextStorage.run(context, () =>
      telemetry.receiveBrowserEvents(request, { userId: async () => userId }),
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
    expect((await receiveBrowserEvents(post({ entries: [vital()] }), { userId: databaseDown })).status).toBe(204)
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
            message: 'failed for ada@example.com at /customers?q=ada',
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
    for (const leaked of ['ada@example.com', 'q=ada', 'secret123']) expect(error).not.toContain(leaked)
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
