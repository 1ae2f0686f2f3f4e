// Helpers shared by the analytics specs: a browser that looks like a person's to posthog-js,
// the sign-up and customer creation both specs drive, and what to watch in the browser and in
// what PostHog received.
import { expect, type Page } from '@playwright/test'
import type { RecordedEvent } from '../../support/posthog-recorder'
import { signUp } from './auth'
import type { AppServer } from './server'

// posthog-js drops events from browsers that look automated (a HeadlessChrome user agent,
// navigator.webdriver); the people this measures browse with ordinary ones. Each analytics spec
// sets `test.use({ userAgent: PERSON_USER_AGENT })` and calls `hideWebdriver` before each test.
export const PERSON_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36'

export async function hideWebdriver(page: Page): Promise<void> {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'webdriver', { get: () => false }))
}

export const PLANTED_CUSTOMER_EMAIL = 'planted.customer.email@example.com'

/** `value` as it may appear in a payload: plain, URL-encoded once or twice, form-encoded. */
export const encodings = (value: string) => [
  ...new Set([
    value,
    encodeURIComponent(value),
    encodeURIComponent(encodeURIComponent(value)),
    encodeURIComponent(value).replace(/%20/g, '+'),
  ]),
]

export async function signUpAndCreateCustomer(page: Page, app: AppServer, email: string) {
  await signUp(page, app, email)
  await page.getByRole('button', { name: 'New customer' }).click()
  const drawer = page.getByRole('dialog', { name: 'New customer' })
  await drawer.getByLabel('Name').fill('Grace Hopper')
  await drawer.getByLabel('Email').fill(PLANTED_CUSTOMER_EMAIL)
  const saving = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/customers',
  )
  await drawer.getByRole('button', { name: 'Save customer' }).click()
  const actionRequestId = (await saving).headers()['x-request-id']
  await expect(drawer).toBeHidden()
  await expect(page.getByTestId('customer-row').filter({ hasText: 'Grace Hopper' })).toBeVisible()
  return { actionRequestId }
}

export function watchBrowser(page: Page, app: AppServer) {
  const foreign: string[] = []
  const pageErrors: string[] = []
  /** `status method path` of every /ingest answer posthog-js got: the allow-list must let all of them through. */
  const ingest: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.origin !== app.url && !url.protocol.startsWith('data')) foreign.push(request.url())
  })
  page.on('response', (response) => {
    const url = new URL(response.url())
    if (url.origin === app.url && url.pathname.startsWith('/ingest'))
      ingest.push(`${response.status()} ${response.request().method()} ${url.pathname}`)
  })
  page.on('pageerror', (error) => pageErrors.push(error.message))
  return { foreign, pageErrors, ingest }
}

export const pathnameOf = (event: RecordedEvent) => new URL(String(event.properties.$current_url)).pathname
/**
 * The page views PostHog would count for `pathname`. posthog-js delivers at least once: a batch
 * it could not confirm (say, a request cut short by the next navigation after it had arrived) is
 * sent again with the same event uuids, and PostHog keeps one event per uuid. So do we. (A
 * run of the suite on a loaded machine recorded the /activity view twice, with the same $insert_id and time.)
 */
export const pageviewsOf = (events: RecordedEvent[], pathname: string) => {
  const views = events.filter((e) => e.event === '$pageview' && pathnameOf(e) === pathname)
  for (const view of views) expect(view.uuid, 'posthog-js names each event with a uuid').toMatch(/^[0-9a-f-]{36}$/)
  return views.filter((view, index) => views.findIndex((other) => other.uuid === view.uuid) === index)
}
