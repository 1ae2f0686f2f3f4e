// GitHub sign-in appears only when its OAuth app is configured, and starts a real OAuth
// authorization request. github.com is never contacted: the browser's request to it is
// answered locally and inspected.
import { expect, test } from '@playwright/test'
import { startServer, type AppServer } from './support/server'

let app: AppServer
test.beforeAll(async () => {
  app = await startServer({ env: { AUTH_GITHUB_ID: 'test-client-id', AUTH_GITHUB_SECRET: 'test-client-secret' } })
})
test.afterAll(async () => {
  await app?.stop()
})

test('"Continue with GitHub" sends the browser to GitHub with our callback and a state', async ({ page }) => {
  let authorize: URL | undefined
  await page.route('https://github.com/**', async (route) => {
    authorize = new URL(route.request().url())
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>GitHub (stand-in)</h1>' })
  })
  await page.goto(`${app.url}/sign-in?callbackUrl=%2Factivity`)
  await page.getByRole('button', { name: 'Continue with GitHub' }).click()
  await expect(page.getByRole('heading', { name: 'GitHub (stand-in)' })).toBeVisible()

  expect(authorize?.origin + authorize!.pathname).toBe('https://github.com/login/oauth/authorize')
  expect(authorize?.searchParams.get('client_id')).toBe('test-client-id')
  expect(authorize?.searchParams.get('redirect_uri')).toBe(`${app.url}/api/auth/callback/github`)
  expect(authorize?.searchParams.get('state') || authorize?.searchParams.get('code_challenge')).toBeTruthy()
  expect(authorize?.toString()).not.toContain('test-client-secret')
  expect(app.output.join('\n')).not.toContain('test-client-secret')
})

test('before hydration (here: without JavaScript) the button still reaches GitHub: the CSP lets our form be redirected there', async ({
  browser,
}) => {
  const context = await browser.newContext({ javaScriptEnabled: false })
  const page = await context.newPage()
  let authorize: URL | undefined
  await page.route('https://github.com/**', async (route) => {
    authorize = new URL(route.request().url())
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>GitHub (stand-in)</h1>' })
  })
  const signIn = await page.goto(`${app.url}/sign-in`)
  expect(signIn?.headers()['content-security-policy']).toMatch(/form-action 'self' https:\/\/github\.com(;|$)/)
  await page.getByRole('button', { name: 'Continue with GitHub' }).click()
  await expect(page.getByRole('heading', { name: 'GitHub (stand-in)' })).toBeVisible()
  expect(authorize?.origin + authorize!.pathname).toBe('https://github.com/login/oauth/authorize')
  await context.close()
})

test('without the GitHub variables there is no GitHub button', async ({ page }) => {
  const plain = await startServer()
  try {
    await page.goto(`${plain.url}/sign-in`)
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
    await expect(page.getByRole('button', { name: 'Continue with GitHub' })).toHaveCount(0)
  } finally {
    await plain.stop()
  }
})
