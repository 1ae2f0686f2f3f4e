// The reference app's domain in a real browser against the production build: sign up, create
// a customer in the drawer, see it listed and recorded in the activity log with the request ID
// of the action that created it, sign out. Plus the API's refusals and answers. Signing in and
// the signed-out redirect: sign-in.spec.ts; another organization's view: customers-isolation.spec.ts.
import { expect, test, type Locator } from '@playwright/test'
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

test('sign up, add a customer in the drawer, find it in the list and the activity log, sign out', async ({ page }) => {
  await signUp(page, app, 'ada@example.com')
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible()

  await page.getByRole('button', { name: 'New customer' }).click()
  const drawer = page.getByRole('dialog', { name: 'New customer' })
  await expect(drawer).toBeVisible()
  // Field errors come back from the server action.
  await drawer.getByLabel('Name').fill('Grace Hopper')
  await drawer.getByLabel('Email').fill('grace@')
  await drawer.getByLabel('Email').evaluate((input: HTMLInputElement) => (input.type = 'text')) // past the browser's own check
  await drawer.getByRole('button', { name: 'Save customer' }).click()
  await expect(drawer.getByText('Enter a valid email address')).toBeVisible()
  await expect(drawer.getByLabel('Name')).toHaveValue('Grace Hopper')

  await drawer.getByLabel('Email').fill('grace@example.com')
  const saving = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/customers',
  )
  await drawer.getByRole('button', { name: 'Save customer' }).click()
  const actionRequestId = (await saving).headers()['x-request-id']
  expect(actionRequestId).toMatch(UUID)
  await expect(drawer).toBeHidden()
  const row = page.getByTestId('customer-row').filter({ hasText: 'Grace Hopper' })
  await expect(row).toContainText('grace@example.com')
  await expect(row).toContainText('manual')

  // Edit in the same drawer.
  await page.getByRole('button', { name: 'Edit Grace Hopper' }).click()
  const editor = page.getByRole('dialog', { name: 'Edit customer' })
  await expect(editor.getByLabel('Email')).toHaveValue('grace@example.com')
  await editor.getByLabel('Name').fill('Grace Brewster Hopper')
  await editor.getByRole('button', { name: 'Save customer' }).click()
  await expect(editor).toBeHidden()
  await expect(page.getByTestId('customer-row').filter({ hasText: 'Grace Brewster Hopper' })).toBeVisible()

  // The activity log names the action and the request that did it.
  await page.getByRole('link', { name: 'Activity' }).click()
  await expect(page).toHaveURL(`${app.url}/activity`)
  const created = page.getByTestId('audit-entry').filter({ hasText: 'customer.created' })
  await expect(created).toHaveCount(1)
  await expect(created.getByTestId('request-id')).toHaveText(actionRequestId!)
  await expect(created).toContainText('Ada Lovelace')
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'customer.updated' })).toContainText('fields: name')
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'user.signed_up' })).toHaveCount(1)
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'user.signed_in' })).toHaveCount(1)
  await expect(page.locator('body')).not.toContainText('grace@example.com') // values never reach the trail

  // The server logged the action with the same request ID and the user.
  const actionLine = app.output
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((line) => line.kind === 'access' && line.request_id === actionRequestId)
  expect(actionLine).toMatchObject({ method: 'POST', path: '/customers', user_id: expect.stringMatching(UUID) })

  // Who changed this customer?
  await created.getByRole('link').click()
  await expect(page.getByRole('heading', { name: 'Grace Brewster Hopper' })).toBeVisible()
  await expect(page.getByTestId('audit-entry')).toHaveCount(2)

  // Delete, with a confirmation first.
  await page.goto(`${app.url}/customers`)
  await page.getByRole('button', { name: 'Delete Grace Brewster Hopper' }).click()
  const confirm = page.getByRole('dialog', { name: 'Delete Grace Brewster Hopper?' })
  await confirm.getByRole('button', { name: 'Delete customer' }).click()
  await expect(page.getByText('No customers yet.')).toBeVisible()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page).toHaveURL(`${app.url}/sign-in`)
  await page.goto(`${app.url}/customers`)
  await expect(page).toHaveURL(`${app.url}/sign-in?callbackUrl=%2Fcustomers`)

  // Signing back in lands on the page asked for; the sign-out was recorded.
  await page.getByLabel('Email').fill('ada@example.com')
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(`${app.url}/customers`)
  await page.goto(`${app.url}/activity`)
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'user.signed_out' })).toHaveCount(1)
  await expect(page.getByTestId('audit-entry').filter({ hasText: 'customer.deleted' })).toHaveCount(1)

  // Actions and IDs in the logs, never payloads; and nothing above warn on the happy path.
  const logged = app.output.join('\n')
  for (const secret of ['grace@example.com', 'ada@example.com', TEST_PASSWORD, 'Grace Hopper'])
    expect(logged).not.toContain(secret)
  expect(app.output.filter((line) => line.includes('"level":"error"') || line.includes('"level":"fatal"'))).toEqual([])
})

test('signed out in another tab, saving says the session ended, keeps what was typed, and saves once signed in again', async ({
  browser,
}) => {
  const context = await browser.newContext()
  try {
    const tab = await context.newPage()
    const email = `two-tabs-${Date.now()}@example.com`
    await signUp(tab, app, email)
    const other = await context.newPage()
    await other.goto(`${app.url}/customers`)
    await other.getByRole('button', { name: 'Sign out' }).click()
    await expect(other).toHaveURL(`${app.url}/sign-in`)

    // The first tab still shows the list; its session cookie is gone.
    await tab.getByRole('button', { name: 'New customer' }).click()
    const drawer = tab.getByRole('dialog', { name: 'New customer' })
    await drawer.getByLabel('Name').fill('After Sign Out')
    await drawer.getByLabel('Email').fill('after-sign-out@example.com')
    await drawer.getByRole('button', { name: 'Save customer' }).click()
    await expect(drawer.getByRole('alert')).toContainText('Your session has ended.')
    await expect(tab.getByRole('heading', { name: 'Something went wrong' })).toHaveCount(0)
    await expect(drawer.getByLabel('Name')).toHaveValue('After Sign Out')
    await expect(drawer.getByLabel('Email')).toHaveValue('after-sign-out@example.com')

    // The way back in opens in a new tab, so this drawer and what was typed stay.
    const signInTab = context.waitForEvent('page')
    await drawer.getByRole('link', { name: 'Sign in again in a new tab' }).click()
    const signIn = await signInTab
    await signIn.getByLabel('Email').fill(email)
    await signIn.getByLabel('Password').fill(TEST_PASSWORD)
    await signIn.getByRole('button', { name: 'Sign in' }).click()
    await expect(signIn).toHaveURL(/\/customers$/)
    await drawer.getByRole('button', { name: 'Save customer' }).click()
    await expect(drawer).toBeHidden()
    await expect(tab.getByTestId('customer-row').filter({ hasText: 'After Sign Out' })).toBeVisible()
  } finally {
    await context.close()
  }
})

test('deleted in another tab, deleting or editing it here says it is gone, keeps what was typed, and the list drops it', async ({
  browser,
}) => {
  const context = await browser.newContext()
  try {
    const tab = await context.newPage()
    await signUp(tab, app, `stale-${Date.now()}@example.com`)
    for (const [name, email] of [
      ['Gone Before Delete', 'gone-before-delete@example.com'],
      ['Gone Before Edit', 'gone-before-edit@example.com'],
    ]) {
      const created = await tab.request.post(`${app.url}/api/customers`, { data: { name, email } })
      expect(created.status()).toBe(201)
    }
    // This tab shows both customers, and keeps showing them while the other tab deletes them.
    await tab.goto(`${app.url}/customers`)
    const row = (name: string) => tab.getByTestId('customer-row').filter({ hasText: name })
    await expect(row('Gone Before Delete')).toBeVisible()
    await expect(row('Gone Before Edit')).toBeVisible()
    const other = await context.newPage()
    const deleteInOtherTab = async (name: string) => {
      await other.goto(`${app.url}/customers`)
      await other.getByRole('button', { name: `Delete ${name}` }).click()
      await other
        .getByRole('dialog', { name: `Delete ${name}?` })
        .getByRole('button', { name: 'Delete customer' })
        .click()
      await expect(other.getByTestId('customer-row').filter({ hasText: name })).toHaveCount(0)
    }

    // Delete: what was asked for is done, and the dialog says so instead of looking like a failure.
    await deleteInOtherTab('Gone Before Delete')
    await tab.getByRole('button', { name: 'Delete Gone Before Delete' }).click()
    const confirm = tab.getByRole('dialog', { name: 'Delete Gone Before Delete?' })
    await confirm.getByRole('button', { name: 'Delete customer' }).click()
    await expect(confirm.getByRole('status')).toHaveText(
      'This customer was already deleted, in another tab or by someone else in your organization.',
    )
    await expect(confirm.getByRole('button', { name: 'Delete customer' })).toHaveCount(0)
    await confirm.getByRole('button', { name: 'Close' }).click()
    await expect(confirm).toBeHidden()
    await expect(row('Gone Before Delete')).toHaveCount(0)
    await expect(row('Gone Before Edit')).toBeVisible()

    // Edit: nothing was saved, what was typed stays in the drawer, and closing it refreshes the list.
    await deleteInOtherTab('Gone Before Edit')
    await tab.getByRole('button', { name: 'Edit Gone Before Edit' }).click()
    const editor = tab.getByRole('dialog', { name: 'Edit customer' })
    await editor.getByLabel('Name').fill('Edited Too Late')
    await editor.getByRole('button', { name: 'Save customer' }).click()
    await expect(editor.getByRole('alert')).toHaveText(
      'This customer was deleted, in another tab or by someone else in your organization, so your changes were not saved.',
    )
    await expect(editor.getByLabel('Name')).toHaveValue('Edited Too Late')
    await expect(editor.getByRole('button', { name: 'Save customer' })).toHaveCount(0)
    await editor.getByRole('button', { name: 'Close' }).click()
    await expect(editor).toBeHidden()
    await expect(row('Gone Before Edit')).toHaveCount(0)
    await expect(tab.getByText('No customers yet.')).toBeVisible()
    await expect(tab.getByRole('heading', { name: 'Something went wrong' })).toHaveCount(0)
  } finally {
    await context.close()
  }
})

test('a 200-character name with no space wraps: the page stays as wide as the window, Edit and Delete on screen', async ({
  browser,
}) => {
  const width = 1280
  const context = await browser.newContext({ viewport: { width, height: 800 } })
  try {
    const page = await context.newPage()
    // The signed-in user's name is long and unbroken too (100 characters, the most sign-up
    // takes): the header and the activity log's "Who" show it.
    await signUp(page, app, `long-names-${Date.now()}@example.com`, { name: 'u'.repeat(100) })
    // The most a customer's name may hold, with no space: a pasted URL.
    const longName = `https://example.com/${'a'.repeat(180)}`
    expect(longName).toHaveLength(200)
    const created = await page.request.post(`${app.url}/api/customers`, {
      data: { name: longName, email: 'long-name@example.com' },
    })
    expect(created.status()).toBe(201)
    const { id } = (await created.json()).customer as { id: string }

    const pageFitsTheWindow = () =>
      page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)
    const expectOnScreen = async (locator: Locator) => {
      const box = await locator.boundingBox()
      expect(box).not.toBeNull()
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width).toBeLessThanOrEqual(width)
    }

    await page.goto(`${app.url}/customers`)
    const row = page.getByTestId('customer-row').filter({ hasText: longName })
    await expect(row).toBeVisible()
    expect(await pageFitsTheWindow()).toBe(true)
    // Inside the table's own scroll box too: nothing to scroll sideways to reach them.
    expect(await page.locator('table').evaluate((table) => table.scrollWidth <= table.parentElement!.clientWidth)).toBe(
      true,
    )
    await expectOnScreen(row.getByText('long-name@example.com'))
    await expectOnScreen(row.getByRole('button', { name: /^Edit / }))
    await expectOnScreen(row.getByRole('button', { name: /^Delete / }))
    await expectOnScreen(page.getByRole('button', { name: 'Sign out' }))

    // The confirmation names the customer, inside its dialog.
    await row.getByRole('button', { name: /^Delete / }).click()
    const confirm = page.getByRole('dialog', { name: `Delete ${longName}?` })
    await expect(confirm).toBeVisible()
    expect(await confirm.evaluate((dialog) => dialog.scrollWidth <= dialog.clientWidth)).toBe(true)
    await expectOnScreen(confirm.getByRole('button', { name: 'Delete customer' }))
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await expect(confirm).toBeHidden()

    // The customer's own page: its heading wraps.
    await page.goto(`${app.url}/customers/${id}`)
    const heading = page.getByRole('heading', { level: 1 })
    await expect(heading).toHaveText(longName)
    expect(await heading.evaluate((h1) => h1.scrollWidth <= h1.clientWidth)).toBe(true)
    expect(await pageFitsTheWindow()).toBe(true)

    // The activity log: the user's name wraps in "Who", the request IDs stay on screen.
    await page.goto(`${app.url}/activity`)
    const entry = page.getByTestId('audit-entry').filter({ hasText: 'customer.created' })
    await expect(entry).toHaveCount(1)
    expect(await pageFitsTheWindow()).toBe(true)
    await expectOnScreen(entry.getByTestId('request-id'))
  } finally {
    await context.close()
  }
})

test('at 375 px wide (a phone) no page scrolls sideways: the home page, the auth pages and the app with its header', async ({
  browser,
}) => {
  const width = 375
  const context = await browser.newContext({ viewport: { width, height: 740 } })
  try {
    const page = await context.newPage()
    const expectNoSidewaysScroll = async (path: string) => {
      await page.goto(`${app.url}${path}`)
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(width)
    }
    for (const path of ['/', '/sign-in', '/sign-up']) await expectNoSidewaysScroll(path)

    // A name longer than the header has room for.
    await signUp(page, app, `phone-${Date.now()}@example.com`, { name: 'Augusta Ada King, Countess of Lovelace' })
    for (const path of ['/customers', '/activity', '/']) await expectNoSidewaysScroll(path)
    // The header's way out is on screen.
    await page.goto(`${app.url}/customers`)
    const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox()
    expect(signOut).not.toBeNull()
    expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(width)
  } finally {
    await context.close()
  }
})

test.describe('POST /api/customers', () => {
  test('401 without a session', async ({ request }) => {
    const response = await request.post(`${app.url}/api/customers`, {
      data: { name: 'Anon', email: 'anon@example.com' },
    })
    expect(response.status()).toBe(401)
    expect(response.headers()['x-request-id']).toMatch(UUID)
    expect(await response.json()).toMatchObject({ error: 'unauthorized' })
  })

  test('400 for bad JSON or fields, 201 with source api, using the browser session cookie', async ({ page }) => {
    await signUp(page, app, 'api-user@example.com')
    const api = page.request
    const badJson = await api.post(`${app.url}/api/customers`, {
      headers: { 'content-type': 'application/json' },
      data: Buffer.from('{"name":'),
    })
    expect(badJson.status()).toBe(400)
    expect(await badJson.json()).toMatchObject({ error: 'invalid_json' })

    const badFields = await api.post(`${app.url}/api/customers`, { data: { name: '', email: 'nope' } })
    expect(badFields.status()).toBe(400)
    expect(await badFields.json()).toEqual({
      error: 'invalid_fields',
      fieldErrors: { name: ['Enter a name'], email: ['Enter a valid email address'] },
    })

    const created = await api.post(`${app.url}/api/customers`, {
      data: { name: 'From a script', email: 'script@example.com' },
    })
    expect(created.status()).toBe(201)
    expect((await created.json()).customer).toMatchObject({
      name: 'From a script',
      source: 'api',
      id: expect.stringMatching(UUID),
    })
    await page.goto(`${app.url}/customers`)
    await expect(page.getByTestId('customer-row').filter({ hasText: 'From a script' })).toContainText('api')
  })
})
