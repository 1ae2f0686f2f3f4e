// Browser errors with a DSN: they reach Sentry through the app's /monitoring tunnel and no other
// origin, with zero CSP violations while the SDK and Session Replay run; a panel's error
// boundary and an async handler report too. Registered by sentry.spec.ts.
import { expect, test } from '@playwright/test'
import { visitEveryPage, watchCsp } from '../support/csp'
import { eventsFor, expectNothingPlanted, recordRequests, type SentryServer } from '../support/sentry'

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'

/** The JSON paths of `value` whose string contains `needle` (array indexes as `[]`). */
function pathsHolding(value: unknown, needle: string, at = ''): string[] {
  if (typeof value === 'string') return value.includes(needle) ? [at || '.'] : []
  if (Array.isArray(value)) return value.flatMap((inner) => pathsHolding(inner, needle, `${at}[]`))
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) => pathsHolding(inner, needle, `${at}.${key}`))
  return []
}

/** A client-side navigation by the App Router, as a `<Link>` makes: no page load. */
const navigateInApp = (href: string) =>
  (window as unknown as { next: { router: { push: (href: string) => void } } }).next.router.push(href)

export function browserErrorTests(served: SentryServer): void {
  test('a browser error reaches Sentry through /monitoring, and the browser talks to no other origin', async ({
    page,
  }) => {
    const { app, recorder } = served
    const requests = recordRequests(page)
    const response = await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle') // the SDK chunk, then Session Replay once idle
    await page.getByRole('button', { name: 'Throw in the browser' }).click()

    const events = await eventsFor(recorder, 'Planted browser error from /debug/sentry')
    expect(events).toHaveLength(1)
    expect(events[0]?.tags?.request_id).toBe(response?.headers()['x-request-id'])
    expect(events[0]?.user).toBeUndefined()

    const appOrigin = new URL(app.url).origin
    expect(requests.filter((url) => url.origin !== appOrigin).map(String)).toEqual([])
    expect(requests.some((url) => url.pathname === '/monitoring')).toBe(true)
    const envelope = recorder.envelopes.find((candidate) =>
      candidate.items.some((item) => item.text.includes('Planted browser error')),
    )
    expect(envelope?.requestHeaders['x-sentry-auth']).toContain('sentry_client=signalbox-tunnel')

    // The replay of the moments before the error follows, through the same tunnel.
    await recorder.waitFor(() => recorder.items('replay_event').length > 0, 20_000)
    expectNothingPlanted(recorder)
  })

  test('a token sent as a bare query key reaches Sentry nowhere, and a page loaded with a query string is not recorded', async ({
    page,
  }) => {
    const { app, recorder } = served
    const replaysOf = (withQuery: boolean) =>
      recorder
        .items('replay_event')
        .filter((item) =>
          ((item.payload as { urls?: string[] }).urls ?? []).some(
            (url) => url.includes('/debug/sentry') && url.includes('?') === withQuery,
          ),
        )
    // The control first: the same page without a query sends its replay, in `took` ms. Then the
    // page with a bare-key token stays open three times as long, time for its replay to arrive.
    const before = replaysOf(false).length
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    const clicked = Date.now()
    await page.getByRole('button', { name: 'Throw in the browser' }).click()
    await recorder.waitFor(() => replaysOf(false).length > before, 20_000)
    const took = Date.now() - clicked

    await page.goto(`${app.url}/debug/sentry?${TOKEN}`)
    await page.waitForLoadState('networkidle')
    await page.getByRole('button', { name: 'Throw in the browser' }).click()
    await page.waitForTimeout(Math.max(3 * took, 5000))
    // Where the token went, as `item type: path` (the recordings are text, so named by their type).
    const leaked = recorder.envelopes
      .flatMap((envelope) => envelope.items)
      .filter((item) => item.text.includes(TOKEN))
      .flatMap((item) =>
        typeof item.payload === 'string'
          ? [item.type]
          : pathsHolding(item.payload, TOKEN).map((where) => `${item.type}: ${where}`),
      )
    expect([...new Set(leaked)]).toEqual([])
    expect(replaysOf(true)).toEqual([])
  })

  test('a full snapshot taken on a page reached in the app with a query string does not carry its address', async ({
    page,
  }) => {
    const { app, recorder } = served
    // The replay buffers (error-only mode) and takes a new full snapshot at its first record 60 s
    // after the last (rrweb's checkoutEveryNms, by Date.now): each starts with a Meta record whose
    // href is the page's address, which no browser hook sees. The page's Date.now is moved on
    // 61 s instead of waiting them out. (Playwright's clock also fakes the timers Sentry takes from
    // an iframe, and the replay then never flushes.)
    await page.addInitScript(() => {
      const realNow = Date.now.bind(Date)
      let skew = 0
      Date.now = () => realNow() + skew
      Object.assign(window, { skipAhead: (ms: number) => (skew += ms) })
    })
    const recordingsBefore = recorder.items('replay_recording').length
    const replayStarted = page.waitForEvent('worker') // Replay's compression worker: it is buffering
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    await replayStarted

    // In the app, without a load: the address now carries the token, and a checkout is due.
    await page.evaluate(navigateInApp, `/debug/sentry?${TOKEN}`)
    await page.waitForURL(`**/debug/sentry?${TOKEN}`)
    await page.evaluate(() => (window as unknown as { skipAhead: (ms: number) => void }).skipAhead(61_000))
    await page.getByRole('button', { name: /The page still responds/ }).click() // the next record: a checkout

    // Back without a load, then an error: the buffer since that snapshot goes to Sentry.
    await page.evaluate(navigateInApp, '/debug/sentry')
    await page.waitForURL((url) => url.pathname === '/debug/sentry' && url.search === '')
    await page.getByRole('button', { name: 'Throw in the browser' }).click()

    // The snapshot taken on the query page arrived, its address without the token.
    const metaHrefs = () =>
      recorder
        .items('replay_recording')
        .slice(recordingsBefore)
        .flatMap((item) => {
          const events = JSON.parse(item.text.slice(item.text.indexOf('\n') + 1)) as Array<{
            type: number
            data?: { href?: string }
          }>
          return events.filter((event) => event.type === 4).map((event) => event.data?.href ?? '')
        })
    await recorder.waitFor(() => metaHrefs().some((href) => href.includes('/debug/sentry?')), 20_000)
    expect(metaHrefs().filter((href) => href.includes('/debug/sentry?'))).toEqual([
      `${app.url}/debug/sentry?[REDACTED]=`,
    ])
    expect(recorder.allText().includes(TOKEN), 'the token reached Sentry').toBe(false)
  })

  test('every page loads with zero CSP violations while the SDK and Session Replay run', async ({ page }) => {
    const { app, recorder } = served
    test.setTimeout(180_000)
    const csp = await watchCsp(page)
    const workers: string[] = []
    page.on('worker', (worker) => workers.push(worker.url()))
    const requests = recordRequests(page)
    await visitEveryPage(page, app)
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    await page.getByRole('button', { name: 'Throw in the browser' }).click()
    await eventsFor(recorder, 'Planted browser error from /debug/sentry')
    // The SDK ran on these pages: its envelopes left through /monitoring, and Replay started
    // its compression worker from a blob: URL (worker-src allows exactly that).
    expect(requests.some((url) => url.pathname === '/monitoring')).toBe(true)
    expect(workers.some((url) => url.startsWith('blob:'))).toBe(true)
    expect(csp.violations).toEqual([])
  })

  test('a panel that throws while rendering shows its fallback and reports, the page keeps working', async ({
    page,
  }) => {
    const { app, recorder } = served
    await page.goto(`${app.url}/debug/sentry`)
    await page.getByRole('button', { name: 'Break the panel' }).click()
    await expect(page.getByText('This panel failed and has been reported')).toBeVisible()
    await page.getByRole('button', { name: /The page still responds/ }).click()
    await expect(page.getByRole('button', { name: 'The page still responds: 1' })).toBeVisible()

    const events = await eventsFor(recorder, 'Planted panel render error from /debug/sentry')
    expect(events).toHaveLength(1)
    expect(events[0]?.tags?.boundary).toBe('debug-risky-panel')

    await page.getByRole('button', { name: 'Retry the panel' }).click()
    await expect(page.getByText('This panel renders normally')).toBeVisible()
  })

  test('an error in an async event handler is reported as an unhandled rejection', async ({ page }) => {
    const { app, recorder } = served
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    await page.getByRole('button', { name: 'Throw in an async handler' }).click()
    const events = await eventsFor(recorder, 'Planted async handler error from /debug/sentry')
    expect(events).toHaveLength(1)
    expect(events[0]?.exception?.values?.[0]?.mechanism?.type).toMatch(/onunhandledrejection/)
  })
}
