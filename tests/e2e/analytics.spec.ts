// Product analytics end to end: the real posthog-js (browser, through /ingest) and posthog-node
// (server) against a local server that records what arrives. The key is inlined into the
// browser bundle at build time (PostHog's hosts are read at run time by /ingest), so this spec makes
// one extra production build into its own directory; the default build stays key-free, and the
// two builds side by side also measure what analytics adds to each page's first-load JS.
// Without a key: analytics-without-key.spec.ts.
import { expect, test } from '@playwright/test'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import {
  PERSON_USER_AGENT,
  PLANTED_CUSTOMER_EMAIL,
  encodings,
  hideWebdriver,
  pageviewsOf,
  signUpAndCreateCustomer,
  watchBrowser,
} from './support/analytics'
import { signUp } from './support/auth'
import { visitEveryPage, watchCsp } from './support/csp'
import { DEFAULT_DIST_DIR, expectFirstLoadGrowthWithin, firstLoadJs } from './support/first-load'
import { buildApp, startServer, type AppServer } from './support/server'

const DIST_DIR = '.next-e2e-posthog'
const PLANTED_EMAIL = 'planted.analytics.person@example.com'
const PLANTED_API_EMAIL = 'planted.api.email@example.com'
// A session that starts on a URL whose query carries a value (here a callbackUrl holding
// another URL's query): the value must not reach PostHog in any property, encoded or not.
const PLANTED_QUERY_VALUE = 'planted123'
const PLANTED_ENTRY_PATH = `/sign-in?callbackUrl=${encodeURIComponent(`/customers?secret=${PLANTED_QUERY_VALUE}`)}`
/** The issue's budget: what analytics may add to a page's first-load JS, gzipped. */
const FIRST_LOAD_BUDGET_BYTES = 5 * 1024

/** The script files an HTML page loads, as the manifest names them (`static/chunks/…`). */
const scriptsOf = (html: string) =>
  [
    ...new Set(
      [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)]
        .filter((m) => !/\snomodule/i.test(m[0]))
        .map((m) => m[1]!.replace(/^\/_next\//, '')),
    ),
  ].sort()

// posthog-js drops events from browsers that look automated: this one looks like a person's.
test.use({ userAgent: PERSON_USER_AGENT })
test.beforeEach(async ({ page }) => {
  await hideWebdriver(page)
})

test.describe('analytics with a PostHog key', () => {
  let recorder: PostHogRecorder
  let app: AppServer

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    recorder = await startPostHogRecorder()
    const env = {
      NEXT_PUBLIC_POSTHOG_KEY: 'phc_e2e_test_key',
      POSTHOG_HOST: recorder.url,
      POSTHOG_ASSETS_HOST: recorder.url,
    }
    await buildApp({ distDir: DIST_DIR, env })
    // DEBUG_ROUTES: the CSP check visits the error page (/debug/error) too.
    app = await startServer({ distDir: DIST_DIR, env: { ...env, DEBUG_ROUTES: '1' }, waitForReady: true })
  })
  test.afterAll(async () => {
    await app?.stop()
    await recorder?.close()
  })

  test('client and server events arrive through /ingest, tagged, with no PII or query value and no other origin', async ({
    page,
  }) => {
    const browser = watchBrowser(page, app)
    // The session starts on a URL with a planted query value; posthog-js keeps it as the
    // session's entry URL and the person's initial URL for every later event.
    await page.goto(`${app.url}${PLANTED_ENTRY_PATH}`)
    await expect.poll(() => pageviewsOf(recorder.events, '/sign-in').length, { timeout: 15_000 }).toBeGreaterThan(0)

    const { actionRequestId } = await signUpAndCreateCustomer(page, app, PLANTED_EMAIL)
    // The same creation over the API (the browser's session cookie, JSON).
    const viaApi = await page.request.post(`${app.url}/api/customers`, {
      data: { name: 'Via API', email: PLANTED_API_EMAIL },
    })
    expect(viaApi.status()).toBe(201)
    const apiRequestId = viaApi.headers()['x-request-id']
    await page.getByRole('link', { name: 'Activity' }).click()
    await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible()
    await page.goto(`${app.url}/customers?page=1&q=${encodeURIComponent(PLANTED_EMAIL)}`)

    const has = (name: string) => recorder.events.some((e) => e.event === name)
    // Polled as the list of events still missing, so a timeout names them ("Received: [...]").
    const wanted = ['$pageview', 'customers_drawer_opened', 'customer_created', 'signed_up', 'signed_in']
    await expect
      .poll(() => wanted.filter((name) => !has(name)), {
        timeout: 20_000,
        message: 'PostHog events that never reached the recorder (client and server, through /ingest)',
      })
      .toEqual([])
    await expect
      .poll(() => recorder.events.filter((e) => e.properties.request_id === apiRequestId).length, { timeout: 15_000 })
      .toBe(1)
    await expect.poll(() => pageviewsOf(recorder.events, '/activity').length, { timeout: 15_000 }).toBeGreaterThan(0)
    await page.waitForTimeout(1500) // a duplicate pageview would arrive by now

    // The browser's events came through the app's own origin…
    const opened = recorder.events.find((e) => e.event === 'customers_drawer_opened')!
    expect(opened.properties).toMatchObject({ feature: 'customers', surface: 'customers_drawer', mode: 'create' })
    expect(recorder.requests.some((r) => r.method === 'POST' && r.path !== '/batch/')).toBe(true)
    expect(browser.foreign).toEqual([])
    // …and every request posthog-js made there was on /ingest's allow-list: forwarded, none refused.
    expect(browser.ingest.length).toBeGreaterThan(0)
    expect(browser.ingest.filter((line) => !line.startsWith('200 '))).toEqual([])

    // …one $pageview per navigation, and never a query value.
    expect(pageviewsOf(recorder.events, '/activity')).toHaveLength(1)
    for (const view of recorder.events.filter((e) => e.event === '$pageview')) {
      const url = new URL(String(view.properties.$current_url))
      for (const value of url.searchParams.values()) expect(value).toBe('')
    }
    const listViews = pageviewsOf(recorder.events, '/customers')
    expect(listViews.some((v) => String(v.properties.$current_url).includes('page=&q='))).toBe(true)
    // The entry URL is kept, by parameter name only, wherever posthog-js carries it.
    const later = recorder.events.find((e) => e.event === 'customers_drawer_opened')!
    expect(String(later.properties.$session_entry_url)).toBe(`${app.url}/sign-in?callbackUrl=`)

    // The server's events are tagged with feature, surface, source, organization and request.
    const created = recorder.events.find(
      (e) => e.event === 'customer_created' && e.properties.request_id === actionRequestId,
    )!
    expect(created.properties).toMatchObject({ feature: 'customers', surface: 'customers_drawer', source: 'manual' })
    expect(created.properties.org_id).toEqual(expect.any(String))
    expect(created.distinct_id).toEqual(expect.any(String))
    const createdViaApi = recorder.events.find((e) => e.properties.request_id === apiRequestId)!
    expect(createdViaApi).toMatchObject({
      event: 'customer_created',
      distinct_id: created.distinct_id,
      properties: {
        feature: 'customers',
        surface: 'api',
        source: 'api',
        org_id: created.properties.org_id,
        $groups: { organization: created.properties.org_id },
      },
    })
    const signedUp = recorder.events.find((e) => e.event === 'signed_up')!
    expect(signedUp.properties).toMatchObject({ feature: 'auth', surface: 'sign_up_form', method: 'credentials' })

    // The browser knows the user by the same ID the server used (never by email), and the
    // organization as a group.
    expect(opened.distinct_id).toBe(created.distinct_id)
    expect(opened.properties.$groups).toEqual({ organization: created.properties.org_id })

    // The browser's cookies (its session among them) stay with the app: /ingest forwards none.
    expect(recorder.requests.filter((r) => r.cookie)).toEqual([])
    // Nothing planted arrives anywhere, in any body.
    const everything = recorder.bodies.join('\n')
    for (const planted of [
      PLANTED_QUERY_VALUE,
      PLANTED_EMAIL,
      PLANTED_CUSTOMER_EMAIL,
      PLANTED_API_EMAIL,
      'Ada Lovelace',
    ]) {
      for (const form of encodings(planted)) expect(everything, `${form} reached PostHog`).not.toContain(form)
    }
    expect(browser.pageErrors).toEqual([])

    // Signing out resets posthog-js: the next page view belongs to a new, anonymous visitor.
    const beforeSignOut = recorder.events.length
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(new RegExp(`^${app.url}/sign-in`))
    await expect
      .poll(() => pageviewsOf(recorder.events.slice(beforeSignOut), '/sign-in').length, { timeout: 15_000 })
      .toBeGreaterThan(0)
    const afterSignOut = pageviewsOf(recorder.events.slice(beforeSignOut), '/sign-in')[0]!
    expect(afterSignOut.distinct_id).toEqual(expect.any(String))
    expect(afterSignOut.distinct_id).not.toBe(created.distinct_id)
    expect(afterSignOut.properties.$process_person_profile).toBe(false)
    expect(afterSignOut.properties.$groups ?? {}).toEqual({})
  })

  test('a page asks PostHog for flags once, though its layout and the page both read them', async ({ page }) => {
    await signUp(page, app, `flags-${Date.now()}@example.com`)
    const created = await page.request.post(`${app.url}/api/customers`, {
      data: { name: 'Flag Reader', email: 'flag.reader@example.com' },
    })
    expect(created.status()).toBe(201)
    const { id } = ((await created.json()) as { customer: { id: string } }).customer
    // posthog-node's requests, not posthog-js's (the browser's, forwarded by /ingest with its user agent).
    const serverFlagRequests = () =>
      recorder.requests.filter((r) => r.path.startsWith('/flags') && r.userAgent !== PERSON_USER_AGENT).length
    // The HTML alone, without a browser: no prefetches, no posthog-js, one render on the server.
    // /customers/<id>: the (app) layout evaluates every flag and the page reads customer_history.
    for (const path of [`/customers/${id}`, '/customers', `/customers/${id}`]) {
      const before = serverFlagRequests()
      const response = await page.request.get(`${app.url}${path}`)
      expect(response.status(), path).toBe(200)
      expect(await response.text()).toContain('Flag Reader')
      await page.waitForTimeout(300) // a second evaluation would have asked by now
      expect(serverFlagRequests() - before, path).toBe(1)
    }
  })

  test('Web Vitals become web_vital events from the server: tagged, by route pattern, for the signed-in user', async ({
    page,
  }) => {
    await signUp(page, app, `vitals-${Date.now()}@example.com`)
    const created = await page.request.post(`${app.url}/api/customers`, {
      data: { name: 'Vital Signs', email: 'vital.signs@example.com' },
    })
    expect(created.status()).toBe(201)
    const { id } = ((await created.json()) as { customer: { id: string } }).customer
    const createdRequestId = created.headers()['x-request-id']
    await page.goto(`${app.url}/customers/${id}`)
    await expect(page.getByRole('heading', { name: 'Vital Signs' })).toBeVisible()
    await page.waitForTimeout(3500) // web-vitals is imported once the page is idle
    await page.locator('body').click({ position: { x: 5, y: 5 } }) // an interaction, for INP
    await page.waitForTimeout(300)
    await page.goto('about:blank') // hidden, then unloaded: the beacon goes

    const vitals = () =>
      recorder.events.filter((e) => e.event === 'web_vital' && e.properties.route === '/customers/[id]')
    await expect
      .poll(
        () => ['LCP', 'FCP', 'TTFB', 'CLS', 'INP'].filter((name) => !vitals().some((e) => e.properties.name === name)),
        {
          timeout: 20_000,
          message: 'web_vital events that never reached PostHog',
        },
      )
      .toEqual([])
    const lcp = vitals().find((e) => e.properties.name === 'LCP')!
    expect(lcp.properties).toMatchObject({
      feature: 'performance',
      surface: 'page',
      route: '/customers/[id]',
      rating: expect.stringMatching(/^(good|needs-improvement|poor)$/),
      value: expect.any(Number),
      navigation_type: 'navigate',
      request_id: expect.any(String), // the beacon's request
      page_request_id: expect.any(String), // the page's
    })
    // Sent by the server for the session's user, the same person as their server events.
    const serverEvent = recorder.events.find((e) => e.properties.request_id === createdRequestId)!
    expect(lcp.distinct_id).toBe(serverEvent.distinct_id)
    // The route pattern, never the path: the customer's ID is in no web_vital event.
    for (const vital of recorder.events.filter((e) => e.event === 'web_vital'))
      expect(JSON.stringify(vital.properties)).not.toContain(id)
  })

  test('every page loads with zero CSP violations while posthog-js runs', async ({ page }) => {
    test.setTimeout(180_000)
    const csp = await watchCsp(page)
    const browser = watchBrowser(page, app)
    const before = recorder.events.length
    await visitEveryPage(page, app)
    // posthog-js ran on these pages: their page views came through /ingest.
    await expect
      .poll(() => pageviewsOf(recorder.events.slice(before), '/activity').length, { timeout: 15_000 })
      .toBeGreaterThan(0)
    expect(browser.foreign).toEqual([])
    expect(csp.violations).toEqual([])
  })

  test('each page’s first-load JavaScript grows by at most 5 KB gzipped with analytics on', async ({ page }) => {
    const withKey = firstLoadJs(DIST_DIR)
    const without = firstLoadJs(DEFAULT_DIST_DIR)
    // The manifests name what the HTML loads: checked on prerendered pages by the script, and
    // here on dynamic ones as served, signed out and signed in.
    for (const route of Object.keys(withKey))
      if (withKey[route]!.htmlMatches !== undefined) expect(withKey[route]!.htmlMatches, route).toBe(true)
    expect(scriptsOf(await (await page.request.get(`${app.url}/sign-in`)).text())).toEqual(withKey['/sign-in']!.files)
    await signUp(page, app, `budget-${Date.now()}@example.com`)
    expect(scriptsOf(await (await page.request.get(`${app.url}/customers`)).text())).toEqual(
      withKey['/customers']!.files,
    )

    expectFirstLoadGrowthWithin({ name: 'PostHog', routes: withKey }, without, FIRST_LOAD_BUDGET_BYTES)
  })

  test('with PostHog down, the same flow passes: no failed action, no page error', async ({ page }) => {
    await recorder.close() // the upstream refuses connections from now on
    // Only this flow's lines: the CSP check before it visited the error page on purpose.
    const outputBefore = app.output.length
    const output = () => app.output.slice(outputBefore)
    const browser = watchBrowser(page, app)
    const started = Date.now()
    await signUpAndCreateCustomer(page, app, `down-${Date.now()}@example.com`)
    expect(Date.now() - started).toBeLessThan(20_000)
    await page.waitForTimeout(3000) // let the browser's batch try, and fail, to send
    expect(browser.pageErrors).toEqual([])
    // The server's send runs in after(), with the client's one retry: its failure is logged, not thrown.
    await expect
      .poll(() => output().some((line) => line.includes('"analytics_capture_failed"')), { timeout: 10_000 })
      .toBe(true)
    expect(output().filter((line) => line.includes('"level":"error"') && !line.includes('ECONNREFUSED'))).toEqual([])
  })
})
