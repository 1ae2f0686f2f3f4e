// Product analytics end to end: the real posthog-js (browser, through /ingest) and posthog-node
// (server) against a local server that records what arrives. PostHog's hosts are read at build
// time (the /ingest rewrite) and the key is inlined into the browser bundle, so this spec makes
// one extra production build into its own directory; the default build stays key-free.
import { expect, test, type Page } from '@playwright/test'
import { startPostHogRecorder, type PostHogRecorder, type RecordedEvent } from '../support/posthog-recorder'
import { buildApp, startServer, type AppServer } from './support/server'

const DIST_DIR = '.next-e2e-posthog'
const PLANTED_EMAIL = 'planted.analytics.person@example.com'
const PLANTED_CUSTOMER_EMAIL = 'planted.customer.email@example.com'

async function signUpAndCreateCustomer(page: Page, app: AppServer, email: string) {
  await page.goto(`${app.url}/sign-up`)
  await page.getByLabel('Name').fill('Ada Lovelace')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('a long enough password')
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page).toHaveURL(`${app.url}/customers`)
  await page.getByRole('button', { name: 'New customer' }).click()
  const drawer = page.getByRole('dialog', { name: 'New customer' })
  await drawer.getByLabel('Name').fill('Grace Hopper')
  await drawer.getByLabel('Email').fill(PLANTED_CUSTOMER_EMAIL)
  const saving = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/customers')
  await drawer.getByRole('button', { name: 'Save customer' }).click()
  const actionRequestId = (await saving).headers()['x-request-id']
  await expect(drawer).toBeHidden()
  await expect(page.getByTestId('customer-row').filter({ hasText: 'Grace Hopper' })).toBeVisible()
  return { actionRequestId }
}

function watchBrowser(page: Page, app: AppServer) {
  const foreign: string[] = []
  const pageErrors: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.origin !== app.url && !url.protocol.startsWith('data')) foreign.push(request.url())
  })
  page.on('pageerror', (error) => pageErrors.push(error.message))
  return { foreign, pageErrors }
}

const pageviewsOf = (events: RecordedEvent[], pathname: string) =>
  events.filter((e) => e.event === '$pageview' && new URL(String(e.properties.$current_url)).pathname === pathname)

// posthog-js drops events from browsers that look automated (a HeadlessChrome user agent,
// navigator.webdriver); the people this measures browse with ordinary ones.
test.use({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' })
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }))
})

test.describe('analytics with a PostHog key', () => {
  let recorder: PostHogRecorder
  let app: AppServer

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    recorder = await startPostHogRecorder()
    const env = { NEXT_PUBLIC_POSTHOG_KEY: 'phc_e2e_test_key', POSTHOG_HOST: recorder.url, POSTHOG_ASSETS_HOST: recorder.url }
    await buildApp({ distDir: DIST_DIR, env })
    app = await startServer({ distDir: DIST_DIR, env, waitForReady: true })
  })
  test.afterAll(async () => {
    await app?.stop()
    await recorder?.close()
  })

  test('client and server events arrive through /ingest, tagged, with no PII and no other origin', async ({ page }) => {
    const browser = watchBrowser(page, app)
    const { actionRequestId } = await signUpAndCreateCustomer(page, app, PLANTED_EMAIL)
    await page.getByRole('link', { name: 'Activity' }).click()
    await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible()
    await page.goto(`${app.url}/customers?page=1&q=${encodeURIComponent(PLANTED_EMAIL)}`)

    const has = (name: string) => recorder.events.some((e) => e.event === name)
    await expect
      .poll(() => ['$pageview', 'customers_drawer_opened', 'customer_created', 'signed_up', 'signed_in'].every(has), { timeout: 20_000 })
      .toBe(true)
    await expect.poll(() => pageviewsOf(recorder.events, '/activity').length, { timeout: 15_000 }).toBeGreaterThan(0)
    await page.waitForTimeout(1500) // a duplicate pageview would arrive by now

    // The browser's events came through the app's own origin…
    const opened = recorder.events.find((e) => e.event === 'customers_drawer_opened')!
    expect(opened.properties).toMatchObject({ feature: 'customers', surface: 'customers_drawer', mode: 'create' })
    expect(recorder.requests.some((r) => r.method === 'POST' && r.path !== '/batch/')).toBe(true)
    expect(browser.foreign).toEqual([])

    // …one $pageview per navigation, and never a query value.
    expect(pageviewsOf(recorder.events, '/activity')).toHaveLength(1)
    for (const view of recorder.events.filter((e) => e.event === '$pageview')) {
      const url = new URL(String(view.properties.$current_url))
      for (const value of url.searchParams.values()) expect(value).toBe('')
    }
    const listViews = pageviewsOf(recorder.events, '/customers')
    expect(listViews.some((v) => String(v.properties.$current_url).includes('page=&q='))).toBe(true)

    // The server's event is tagged with feature, surface, source, organization and request.
    const created = recorder.events.find((e) => e.event === 'customer_created')!
    expect(created.properties).toMatchObject({
      feature: 'customers',
      surface: 'customers_drawer',
      source: 'manual',
      request_id: actionRequestId,
    })
    expect(created.properties.org_id).toEqual(expect.any(String))
    expect(created.distinct_id).toEqual(expect.any(String))
    const signedUp = recorder.events.find((e) => e.event === 'signed_up')!
    expect(signedUp.properties).toMatchObject({ feature: 'auth', surface: 'sign_up_form', method: 'credentials' })

    // The browser knows the user by the same ID the server used (never by email), and the
    // organization as a group.
    expect(opened.distinct_id).toBe(created.distinct_id)
    expect(opened.properties.$groups).toEqual({ organization: created.properties.org_id })
    const everything = recorder.bodies.join('\n')
    expect(everything).not.toContain(PLANTED_EMAIL)
    expect(everything).not.toContain(PLANTED_CUSTOMER_EMAIL)
    expect(everything).not.toContain('Ada Lovelace')
    expect(browser.pageErrors).toEqual([])
  })

  test('with PostHog down, the same flow passes: no failed action, no page error', async ({ page }) => {
    const port = new URL(recorder.url).port
    await recorder.close() // the upstream refuses connections from now on
    const browser = watchBrowser(page, app)
    const started = Date.now()
    await signUpAndCreateCustomer(page, app, `down-${Date.now()}@example.com`)
    expect(Date.now() - started).toBeLessThan(20_000)
    await page.waitForTimeout(3000) // let the browser's batch try, and fail, to send
    expect(browser.pageErrors).toEqual([])
    expect(app.output.some((line) => line.includes('"analytics_capture_failed"'))).toBe(true)
    expect(app.output.filter((line) => line.includes('"level":"error"') && !line.includes('ECONNREFUSED'))).toEqual([])
    expect(port).toBeTruthy()
  })
})

test.describe('analytics without a key', () => {
  let app: AppServer
  test.beforeAll(async () => {
    app = await startServer({ env: { FEATURE_FLAGS: 'customer_history=false' } })
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test('nothing is loaded or sent, and a flag set to off hides what it gates', async ({ page }) => {
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    await signUpAndCreateCustomer(page, app, `nokey-${Date.now()}@example.com`)
    await page.getByRole('link', { name: 'Grace Hopper' }).click()
    await expect(page.getByRole('heading', { name: 'Grace Hopper' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Who changed this?' })).toHaveCount(0)
    expect(requests.filter((url) => new URL(url).pathname.startsWith('/ingest'))).toEqual([])
    expect(requests.filter((url) => new URL(url).origin !== app.url)).toEqual([])
  })
})
