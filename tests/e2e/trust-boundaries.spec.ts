// What a client sends that the production build must not believe, tried as an attacker would:
// callback URLs that normalise into another origin (through the real sign-in and sign-up pages,
// signed in and out, and Auth.js's own endpoint), X-Forwarded-For entries that pick the limiter's
// key, and request IDs that pass for ours.
import { expect, test, type APIRequestContext } from '@playwright/test'
import { HOSTILE_CALLBACK_URLS } from '../support/hostile-redirects'
import { TEST_PASSWORD, signUp } from './support/auth'
import { startServer, type AppServer } from './support/server'

const hostile = Object.values(HOSTILE_CALLBACK_URLS).flat()
const withCallback = (path: string, callbackUrl: string) => `${path}?${new URLSearchParams({ callbackUrl })}`

/**
 * Where a Location or a form value would send a browser, resolved as the browser would. Next's
 * NextRequest spells a loopback address `localhost`, so Auth.js's own redirects name the app that
 * way even at 127.0.0.1: both mean this app; anything else would be another origin.
 */
const originOf = (target: string, app: AppServer) => {
  const url = new URL(target, app.url)
  if (url.hostname === 'localhost') url.hostname = '127.0.0.1'
  return url.origin
}

test.describe('redirects after sign-in', () => {
  let app: AppServer
  test.beforeAll(async () => {
    app = await startServer()
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test(`signed in, /sign-in and /sign-up send each of ${hostile.length} hostile callbacks to this origin`, async ({
    page,
  }) => {
    await signUp(page, app, 'signed-in@example.com')
    for (const callbackUrl of hostile) {
      for (const path of ['/sign-in', '/sign-up']) {
        const response = await page.request.get(`${app.url}${withCallback(path, callbackUrl)}`, { maxRedirects: 0 })
        expect(response.status(), `${path} ${JSON.stringify(callbackUrl)}`).toBe(307)
        const location = response.headers()['location'] ?? ''
        expect(originOf(location, app), `${path} ${JSON.stringify(callbackUrl)} → ${location}`).toBe(app.url)
        expect(location, `${path} ${JSON.stringify(callbackUrl)}`).not.toMatch(/^\/\/|^\/\\|^[a-z]+:/i)
      }
    }
  })

  test('signed out, the pages carry only a same-origin path into their forms', async ({ request }) => {
    for (const callbackUrl of hostile) {
      for (const path of ['/sign-in', '/sign-up']) {
        const html = await (await request.get(`${app.url}${withCallback(path, callbackUrl)}`)).text()
        const carried = /name="callbackUrl" value="([^"]*)"/.exec(html)?.[1]?.replaceAll('&amp;', '&')
        expect(carried, `${path} ${JSON.stringify(callbackUrl)}`).toBeDefined()
        expect(
          carried!.startsWith('/') && !carried!.startsWith('//'),
          `${path} ${JSON.stringify(callbackUrl)} → ${carried}`,
        ).toBe(true)
        expect(originOf(carried!, app)).toBe(app.url)
      }
    }
  })

  test('signing in through the form with a hostile callback lands on this origin', async ({ page }) => {
    await signUp(page, app, 'form-target@example.com')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect(page).toHaveURL(`${app.url}/sign-in`)
    for (const callbackUrl of ['/.//evil.com', '/%2e//evil.com', '/a/..//evil.com', '//evil.com', '/\\evil.com']) {
      await page.goto(`${app.url}${withCallback('/sign-in', callbackUrl)}`)
      await page.getByLabel('Email').fill('form-target@example.com')
      await page.getByLabel('Password').fill(TEST_PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect(page).toHaveURL(`${app.url}/customers`)
      await page.getByRole('button', { name: 'Sign out' }).click()
      await expect(page).toHaveURL(`${app.url}/sign-in`)
    }
  })

  test('Auth.js’s own sign-in endpoint redirects only to this origin', async ({ page, playwright }) => {
    await signUp(page, app, 'direct-post@example.com')
    for (const callbackUrl of [
      '/.//evil.com',
      `${app.url}/.//evil.com`,
      `${app.url}/%2e//evil.com`,
      '//evil.com',
      'https://evil.com',
    ]) {
      const client = await playwright.request.newContext()
      const { csrfToken } = (await (await client.get(`${app.url}/api/auth/csrf`)).json()) as { csrfToken: string }
      const response = await client.post(`${app.url}/api/auth/callback/credentials`, {
        form: { csrfToken, email: 'direct-post@example.com', password: TEST_PASSWORD, callbackUrl },
        maxRedirects: 0,
      })
      const location = response.headers()['location'] ?? ''
      expect(response.status(), JSON.stringify(callbackUrl)).toBe(302)
      expect(originOf(location, app), `${JSON.stringify(callbackUrl)} → ${location}`).toBe(app.url)
      expect(new URL(location, app.url).pathname, JSON.stringify(callbackUrl)).not.toMatch(/^\/\//)
      await client.dispose()
    }
  })

  test('a request ID the client chose is kept, and its audit row says it came from the client', async ({ page }) => {
    await signUp(page, app, 'chooses-ids@example.com')
    const created = await page.request.post(`${app.url}/api/customers`, {
      data: { name: 'Chosen ID', email: 'chosen@example.com' },
      headers: { 'x-request-id': 'client-chosen-0001', 'x-request-id-source': 'server' }, // the second is a lie
    })
    expect(created.status()).toBe(201)
    expect(created.headers()['x-request-id']).toBe('client-chosen-0001')
    const row = page.getByTestId('audit-entry').filter({ hasText: 'client-chosen-0001' })
    await expect
      .poll(async () => {
        await page.goto(`${app.url}/activity`)
        return row.count()
      })
      .toBe(1)
    await expect(row).toContainText('(from the client)')
    // The sign-up's own rows carry IDs the server made.
    await expect(page.getByTestId('audit-entry').filter({ hasText: 'user.signed_up' })).not.toContainText(
      '(from the client)',
    )
  })

  test('with TRUSTED_PROXY_HOPS unset, loopback clients raise no proxy warning; a private peer forwarding for another address does, once', async () => {
    const warnings = () => app.output.filter((line) => line.includes('"x_forwarded_for_ignored"')).length
    const beacon = (headers: Record<string, string> = {}) =>
      fetch(`${app.url}/api/browser-events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          entries: [{ type: 'vital', name: 'TTFB', value: 90, rating: 'good', id: 'v6-xff', route: '/status' }],
        }),
      })
    // The sign-ins above, and this beacon, came from loopback without the header: Next sets it
    // to the socket's address itself, which is no proxy.
    expect((await beacon()).status).toBe(204)
    await new Promise((resolve) => setTimeout(resolve, 300)) // log lines are written asynchronously
    expect(warnings()).toBe(0)
    // As nginx on this machine would send it, with the client's address.
    expect((await beacon({ 'x-forwarded-for': '203.0.113.9' })).status).toBe(204)
    await expect.poll(warnings).toBe(1)
    expect((await beacon({ 'x-forwarded-for': '203.0.113.10' })).status).toBe(204)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(warnings()).toBe(1)
    const line = app.output.find((entry) => entry.includes('"x_forwarded_for_ignored"'))!
    expect(line).toContain('TRUSTED_PROXY_HOPS')
    expect(line).not.toContain('203.0.113.9')
  })
})

test.describe('the sign-in limits behind one proxy (TRUSTED_PROXY_HOPS=1)', () => {
  // As behind nginx with `proxy_add_x_forwarded_for`: the client's header, then the address nginx saw.
  const VICTIM = '192.0.2.10'
  const ATTACKER = '198.51.100.66'
  let app: AppServer
  test.beforeAll(async () => {
    app = await startServer({ env: { TRUSTED_PROXY_HOPS: '1' } })
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  async function attempt(
    client: APIRequestContext,
    forwardedFor: string,
    email: string,
    password: string,
  ): Promise<string> {
    const { csrfToken } = (await (
      await client.get(`${app.url}/api/auth/csrf`, { headers: { 'x-forwarded-for': forwardedFor } })
    ).json()) as {
      csrfToken: string
    }
    const response = await client.post(`${app.url}/api/auth/callback/credentials`, {
      form: { csrfToken, email, password, callbackUrl: `${app.url}/customers` },
      headers: { 'x-forwarded-for': forwardedFor },
      maxRedirects: 0,
    })
    const location = new URL(response.headers()['location'] ?? '/', app.url)
    return location.pathname === '/customers' ? 'signed in' : (location.searchParams.get('code') ?? 'error')
  }

  test('a stranger claiming the owner’s address is limited as themself, and the owner still signs in', async ({
    browser,
    playwright,
  }) => {
    const owner = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': VICTIM } })
    await signUp(await owner.newPage(), app, 'owner@example.com')
    const attacker = await playwright.request.newContext()
    for (let i = 0; i < 10; i++)
      expect(await attempt(attacker, `${VICTIM}, ${ATTACKER}`, 'owner@example.com', `guess ${i}`)).toBe(
        'invalid_credentials',
      )
    expect(await attempt(attacker, `${VICTIM}, ${ATTACKER}`, 'owner@example.com', TEST_PASSWORD)).toBe(
      'too_many_attempts_15m',
    )

    const ownerClient = await playwright.request.newContext()
    expect(await attempt(ownerClient, VICTIM, 'owner@example.com', TEST_PASSWORD)).toBe('signed in')

    // Rotating the entries the client writes does not make a new address: the attacker's own
    // address reaches its cap of 30 failures (11 above, of which 10 counted) on any accounts.
    const outcomes: string[] = []
    for (let i = 0; i < 21; i++)
      outcomes.push(
        await attempt(attacker, `203.0.113.${i + 1}, ${ATTACKER}`, `nobody${i}@example.com`, 'whatever it is'),
      )
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill('invalid_credentials'))
    expect(outcomes[20]).toBe('too_many_attempts_15m')
    await Promise.all([owner.close(), attacker.dispose(), ownerClient.dispose()])
  })

  test('a flood of Web Vitals is cut off at the address’s budget, whatever the client writes to its left', async ({
    playwright,
  }) => {
    // Each vital becomes a PostHog event on the server's key: the budget is what stops a script
    // from spending the project's quota (lib/browser-telemetry/vitals-budget.ts).
    const FLOODER = '198.51.100.77'
    const client = await playwright.request.newContext()
    const beacon = (forwardedFor: string, count: number) =>
      client.post(`${app.url}/api/browser-events`, {
        headers: { 'x-forwarded-for': forwardedFor },
        data: {
          entries: Array.from({ length: count }, (_, i) => ({
            type: 'vital',
            name: 'TTFB',
            value: 100 + i,
            rating: 'good',
            id: `v6-flood-${i}`,
            route: '/status',
          })),
        },
      })
    for (let sent = 0; sent < 120; sent += 40) expect((await beacon(FLOODER, 40)).status()).toBe(204)
    const refused = await beacon(FLOODER, 1)
    expect(refused.status()).toBe(429)
    expect(Number(refused.headers()['retry-after'])).toBeGreaterThanOrEqual(1)
    expect(((await refused.json()) as { error: string }).error).toBe('too_many_vitals')
    // Entries the client wrote to the left of the proxy's are not a new address.
    for (let i = 1; i <= 3; i++) expect((await beacon(`203.0.113.${i}, ${FLOODER}`, 1)).status()).toBe(429)
    // Another address still reports.
    expect((await beacon('192.0.2.44', 5)).status()).toBe(204)
    await client.dispose()
  })
})
