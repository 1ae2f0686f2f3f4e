// One organization's customers, seen by a user of another, against the production build in a
// real browser: pages, server actions (their hidden fields rewritten) and the API give nothing
// of them away and change nothing of them.
import { expect, test, type Browser } from '@playwright/test'
import { signUp } from './support/auth'
import { startServer, type AppServer } from './support/server'

let app: AppServer
test.beforeAll(async () => {
  app = await startServer()
})
test.afterAll(async () => {
  await app?.stop()
})

/** A signed-in user in their own browser context, with their organization's ID. */
async function signedInUser(browser: Browser, email: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signUp(page, app, email)
  const session = (await (await context.request.get(`${app.url}/api/auth/session`)).json()) as { orgId: string }
  return { context, page, orgId: session.orgId }
}

test('a user of another organization gets none of its customers through pages, actions or the API', async ({
  browser,
}) => {
  const alice = await signedInUser(browser, 'alice@org-a.example')
  const created = await alice.context.request.post(`${app.url}/api/customers`, {
    data: { name: 'Acme Confidential', email: 'buyer@acme.example' },
  })
  const { customer } = (await created.json()) as { customer: { id: string } }
  const mallory = await signedInUser(browser, 'mallory@org-b.example')
  const secrets = ['Acme Confidential', 'buyer@acme.example', 'alice@org-a.example']
  const expectNoneOfAlices = async ({ includingId = true } = {}) => {
    const body = await mallory.page.content()
    for (const secret of includingId ? [...secrets, customer.id] : secrets) expect(body, secret).not.toContain(secret)
  }

  // Pages: A's customer is a plain 404 (whose page knows only the ID typed into its URL); B's
  // list and activity hold nothing of A's, not even the ID.
  const detail = await mallory.page.goto(`${app.url}/customers/${customer.id}`)
  expect(detail?.status()).toBe(404)
  await expect(mallory.page.getByRole('link', { name: 'Back to the start' })).toBeVisible()
  await expectNoneOfAlices({ includingId: false })
  await mallory.page.goto(`${app.url}/customers`)
  await expect(mallory.page.getByText('No customers yet.')).toBeVisible()
  await expectNoneOfAlices()
  await mallory.page.goto(`${app.url}/activity`)
  await expect(mallory.page.getByTestId('audit-entry').filter({ hasText: 'user.signed_up' })).toHaveCount(1)
  await expectNoneOfAlices()

  // API: naming A's organization in the body creates in B's own.
  const planted = await mallory.context.request.post(`${app.url}/api/customers`, {
    data: { name: 'Mallory Own', email: 'own@org-b.example', orgId: alice.orgId },
  })
  expect(planted.status()).toBe(201)

  // Actions, over HTTP as the browser sends them: B's own edit and delete forms, with A's
  // customer's ID put in the hidden field. Both are refused.
  await mallory.page.goto(`${app.url}/customers`)
  await mallory.page.getByRole('button', { name: 'Edit Mallory Own' }).click()
  const editor = mallory.page.getByRole('dialog', { name: 'Edit customer' })
  await editor.getByLabel('Name').fill('Taken over')
  await editor.getByLabel('Email').fill('mallory@org-b.example')
  await editor.locator('input[name="id"]').evaluate((input: HTMLInputElement, id) => (input.value = id), customer.id)
  const edit = mallory.page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/customers',
  )
  await editor.getByRole('button', { name: 'Save customer' }).click()
  expect((await edit).request().postData()).toContain(customer.id)
  // Told what a deleted customer's editor is told: nothing says A's customer exists.
  await expect(editor.getByRole('alert')).toHaveText(
    'This customer was deleted, in another tab or by someone else in your organization, so your changes were not saved.',
  )
  await editor.getByRole('button', { name: 'Close' }).click()
  // Closing it refreshes the list; wait for that here, or its render could reset the hidden field
  // rewritten below.
  await mallory.page.goto(`${app.url}/customers`)

  await mallory.page.getByRole('button', { name: 'Delete Mallory Own' }).click()
  const confirm = mallory.page.getByRole('dialog', { name: 'Delete Mallory Own?' })
  await confirm.locator('input[name="id"]').evaluate((input: HTMLInputElement, id) => (input.value = id), customer.id)
  const removal = mallory.page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/customers',
  )
  await confirm.getByRole('button', { name: 'Delete customer' }).click()
  expect((await removal).request().postData()).toContain(customer.id)
  await expect(confirm.getByRole('status')).toHaveText(
    'This customer was already deleted, in another tab or by someone else in your organization.',
  )

  // Nothing changed for A: the customer, its one-line history, and no stranger's row in the list.
  await alice.page.goto(`${app.url}/customers/${customer.id}`)
  await expect(alice.page.getByRole('heading', { name: 'Acme Confidential' })).toBeVisible()
  await expect(alice.page.getByText('buyer@acme.example')).toBeVisible()
  await expect(alice.page.getByTestId('audit-entry')).toHaveCount(1)
  await expect(alice.page.getByTestId('audit-entry')).toContainText('customer.created')
  await alice.page.goto(`${app.url}/customers`)
  await expect(alice.page.getByTestId('customer-row')).toHaveCount(1)
  await expect(alice.page.locator('body')).not.toContainText('Mallory Own')
  // …and B's own customer is still there, unchanged.
  await mallory.page.goto(`${app.url}/customers`)
  await expect(mallory.page.getByTestId('customer-row').filter({ hasText: 'Mallory Own' })).toHaveCount(1)
  await alice.context.close()
  await mallory.context.close()
})
