// Signing in against the production build, in a real browser: one message for a wrong password
// and an unknown email, the wait after 10 failures (through the form and a direct POST to
// Auth.js), the signed-out redirect from an app page, the auth pages' typed names, the home page's
// way into the app, a forged session cookie, and a copied one after signing out.
import { expect, test } from '@playwright/test'
import { TEST_PASSWORD, signUp } from './support/auth'
import { UUID } from './support/ids'
import { startServer, type AppServer } from './support/server'

let app: AppServer
test.beforeAll(async () => {
  app = await startServer()
})
test.afterAll(async () => {
  await app?.stop()
})

test('a wrong password and an unknown email get the same message', async ({ page }) => {
  await signUp(page, app, 'lin@example.com')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(`${app.url}/sign-in`)
  for (const [email, password] of [
    ['lin@example.com', 'not the password'],
    ['nobody@example.com', 'a long enough password'],
  ]) {
    await page.goto(`${app.url}/sign-in`)
    await page.getByLabel('Email').fill(email!)
    await page.getByLabel('Password').fill(password!)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveText('Email or password is incorrect.')
    await expect(page).toHaveURL(`${app.url}/sign-in`)
  }
})

test('after 10 failed sign-ins the form and a direct POST both say how many minutes to wait', async ({ browser }) => {
  // Every test here comes from 127.0.0.1 (next start, no trusted proxy: the socket's address).
  // The lock-out is per account and address, so the other tests' sign-ins are not affected.
  const context = await browser.newContext()
  const page = await context.newPage()
  await signUp(page, app, 'locked-out@example.com')
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(`${app.url}/sign-in`)
  // The form's own message (Next's route announcer is an alert too, after a client navigation).
  const formAlert = page.locator('p[role="alert"]')

  const button = page.getByRole('button', { name: 'Sign in' })
  const passwordField = page.getByLabel('Password')
  const attempt = async (password: string) => {
    await page.getByLabel('Email').fill('locked-out@example.com')
    await passwordField.fill(password)
    await Promise.all([
      page.waitForResponse(
        (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/sign-in',
      ),
      button.click(),
    ])
    // The response's headers arrive before React has applied the result and reset the form, and
    // attempts 2 to 10 show the same message as the one before, so that message proves nothing.
    // Filling the next attempt before the reset would see the password wiped and the browser's
    // required-field check block the submit (CI once hung here): wait until the form settles.
    await expect(passwordField).toHaveValue('')
    await expect(button).toBeEnabled()
  }
  for (let i = 0; i < 10; i++) {
    await attempt(`wrong password ${i}`)
    await expect(formAlert).toHaveText('Email or password is incorrect.')
  }
  // The 11th, with the right password, is refused through signInAction with the wait in words.
  await attempt(TEST_PASSWORD)
  await expect(formAlert).toHaveText('Too many attempts, try again in 15 minutes.')
  await expect(page).toHaveURL(`${app.url}/sign-in`)

  // Posting to Auth.js directly (no form) lands on the sign-in page, which says the same.
  const { csrfToken } = (await (await context.request.get(`${app.url}/api/auth/csrf`)).json()) as { csrfToken: string }
  const direct = await context.request.post(`${app.url}/api/auth/callback/credentials`, {
    form: { csrfToken, email: 'locked-out@example.com', password: TEST_PASSWORD, callbackUrl: `${app.url}/customers` },
    maxRedirects: 0,
  })
  expect(direct.status()).toBe(302)
  const location = new URL(direct.headers()['location']!, app.url)
  expect(location.pathname).toBe('/sign-in')
  await page.goto(location.toString())
  await expect(formAlert).toHaveText('Too many attempts, try again in 15 minutes.')
  await context.close()
})

test('a signed-out visit to an app page redirects to sign-in with the callback and a request ID', async ({
  request,
}) => {
  for (const [path, callback] of [
    ['/customers', '%2Fcustomers'],
    ['/activity', '%2Factivity'],
  ]) {
    const response = await request.get(`${app.url}${path}`, { maxRedirects: 0 })
    expect(response.status()).toBe(307)
    expect(response.headers()['location']).toBe(`/sign-in?callbackUrl=${callback}`)
    expect(response.headers()['x-request-id']).toMatch(UUID)
  }
  // A valid incoming ID is kept on the redirect too.
  const traced = await request.get(`${app.url}/customers`, {
    maxRedirects: 0,
    headers: { 'x-request-id': 'trace-123' },
  })
  expect(traced.headers()['x-request-id']).toBe('trace-123')
})

test('the names people type for the auth pages redirect to them, the query kept', async ({ request }) => {
  for (const [path, location] of [
    ['/login', '/sign-in'],
    ['/Login/?callbackUrl=%2Factivity', '/sign-in?callbackUrl=%2Factivity'],
    ['/signup', '/sign-up'],
    ['/register', '/sign-up'],
  ]) {
    const response = await request.get(`${app.url}${path}`, { maxRedirects: 0 })
    expect(response.status(), path).toBe(307)
    expect(response.headers()['location'], path).toBe(location)
    expect(response.headers()['x-request-id'], path).toMatch(UUID)
    expect(response.headers()['content-security-policy'], path).toBeTruthy()
  }
})

test('the home page leads to the app in one click: a signed-in user to their customers, anyone else to sign in first', async ({
  browser,
}) => {
  const context = await browser.newContext()
  try {
    const page = await context.newPage()
    await page.goto(app.url)
    await page.getByRole('link', { name: 'Open the app' }).click()
    await expect(page).toHaveURL(`${app.url}/sign-in?callbackUrl=%2Fcustomers`)

    await signUp(page, app, `home-${Date.now()}@example.com`)
    await page.goto(app.url)
    await page.getByRole('link', { name: 'Open the app' }).click()
    await expect(page).toHaveURL(`${app.url}/customers`)
    await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible()
  } finally {
    await context.close()
  }
})

test('a forged session cookie gets past the proxy but not the page, and is a warning, not an error', async ({
  request,
}) => {
  const response = await request.get(`${app.url}/customers`, {
    maxRedirects: 0,
    headers: { cookie: 'authjs.session-token=forged' },
  })
  expect(response.status()).toBe(307)
  expect(response.headers()['location']).toBe('/sign-in?callbackUrl=%2Fcustomers')
  const requestId = response.headers()['x-request-id']
  const lines = app.output
    .filter((line) => line.includes(`"request_id":"${requestId}"`))
    .map((line) => JSON.parse(line) as { level: string; msg: string })
  expect(lines.map((line) => [line.level, line.msg])).toContainEqual(['warn', 'auth_session_unreadable'])
  expect(lines.filter((line) => line.level === 'error')).toEqual([])
})

test('signing out ends the session: a copy of its cookie taken before stops working', async ({ browser, request }) => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signUp(page, app, 'copied-cookie@example.com')
  const cookie = (await context.cookies()).find((c) => c.name === 'authjs.session-token')
  expect(cookie, 'the session cookie').toBeDefined()
  // Someone who copied the cookie (a shared computer, a leaked log) uses it from elsewhere.
  const withCopy = () =>
    request.get(`${app.url}/customers`, { maxRedirects: 0, headers: { cookie: `${cookie!.name}=${cookie!.value}` } })
  expect((await withCopy()).status()).toBe(200)
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(`${app.url}/sign-in`)
  const after = await withCopy()
  expect(after.status()).toBe(307)
  expect(after.headers()['location']).toBe('/sign-in?callbackUrl=%2Fcustomers')
  await context.close()
})
