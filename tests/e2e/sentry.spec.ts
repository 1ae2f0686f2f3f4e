// Error tracking end to end: the real Sentry SDK (server and browser) against a local server
// that records what arrives (tests/support/sentry-recorder.ts). The DSN is inlined into the
// browser bundle at build time, so this spec makes one extra production build, with the
// recorder's DSN, into its own directory; the default .next build stays DSN-free.
import net from 'node:net'
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from '@playwright/test'
import { startSentryRecorder, type RecordedEvent, type SentryRecorder } from '../support/sentry-recorder'
import { signUp } from './support/auth'
import { visitEveryPage, watchCsp } from './support/csp'
import { buildApp, freePort, startServer, type AppServer } from './support/server'

const DIST_DIR = '.next-e2e-sentry'

// Sent in headers, query strings, cookies and bodies; none may ever reach Sentry.
const PLANTED = {
  password: 'planted-password-hunter2',
  bearer: 'planted-bearer-token-7f3a',
  cookie: 'planted-cookie-value-91c2',
  email: 'planted.person@example.com',
  queryToken: 'planted-query-token-55d0',
}

function expectNothingPlanted(recorder: SentryRecorder): void {
  const everything = recorder.allText()
  for (const [name, secret] of Object.entries(PLANTED)) {
    expect(everything.includes(secret), `the planted ${name} reached Sentry`).toBe(false)
  }
}

/** Waits for the first matching event, then a little longer so a duplicate would show up too. */
async function eventsFor(recorder: SentryRecorder, message: string): Promise<RecordedEvent[]> {
  await recorder.waitFor(() => recorder.eventsWithMessage(message).length > 0, 15_000)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  return recorder.eventsWithMessage(message)
}

function envelopeFor(dsn: string, body = '{"event_id":"0123456789abcdef0123456789abcdef","message":"tunnel test"}'): string {
  return `${JSON.stringify({ dsn, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${body}\n`
}

/** Every request the page makes, to check the browser talks to no one but the app. */
function recordRequests(page: Page): URL[] {
  const urls: URL[] = []
  page.on('request', (request) => urls.push(new URL(request.url())))
  return urls
}

type SignedInUser = { context: BrowserContext; id: string; orgId: string; email: string }

async function signedInUser(browser: Browser, app: AppServer, name: string): Promise<SignedInUser> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const email = `${name}-${Date.now()}@example.com`
  await signUp(page, app, email, { name })
  const session = (await (await context.request.get(`${app.url}/api/auth/session`)).json()) as { user: { id: string }; orgId: string }
  await page.close()
  return { context, id: session.user.id, orgId: session.orgId, email }
}

/** Interleaved failing requests from several users at once: each event must name its own user. */
async function expectEachEventNamesItsUser(recorder: SentryRecorder, app: AppServer, users: SignedInUser[]): Promise<void> {
  expect(new Set(users.map((user) => user.id)).size).toBe(users.length)
  const calls = Array.from({ length: 20 }, (_, i) => ({ user: users[i % users.length]!, requestId: `user-scope-${i}-${Date.now()}` }))
  await Promise.all(calls.map((call) => call.user.context.request.get(`${app.url}/api/debug/sentry`, { headers: { 'x-request-id': call.requestId } })))
  const byRequest = () => new Map(recorder.eventsWithMessage('Planted server error from /api/debug/sentry').map((e) => [e.tags?.request_id, e]))
  await recorder.waitFor(() => calls.every((call) => byRequest().has(call.requestId)), 20_000)
  for (const call of calls) {
    const event = byRequest().get(call.requestId)!
    expect(event.user).toEqual({ id: call.user.id })
    expect(event.tags?.org_id).toBe(call.user.orgId)
  }
}

test.describe('error tracking with a DSN', () => {
  let recorder: SentryRecorder
  let app: AppServer

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    recorder = await startSentryRecorder()
    const env = { NEXT_PUBLIC_SENTRY_DSN: recorder.dsn, SENTRY_TRACES_SAMPLE_RATE: '1' }
    await buildApp({ distDir: DIST_DIR, env })
    app = await startServer({ distDir: DIST_DIR, env: { ...env, DEBUG_ROUTES: '1' }, waitForReady: true })
  })
  test.afterAll(async () => {
    await app?.stop()
    await recorder?.close()
  })

  test('a route handler error arrives once, with the request ID and no planted secret', async ({ request }) => {
    const response = await request.post(
      `${app.url}/api/debug/sentry?password=${PLANTED.password}&email=${encodeURIComponent(PLANTED.email)}`,
      {
        headers: {
          Authorization: `Bearer ${PLANTED.bearer}`,
          Cookie: `session=${PLANTED.cookie}`,
          'X-User-Email': PLANTED.email,
        },
        data: { password: PLANTED.password, email: PLANTED.email },
      },
    )
    expect(response.status()).toBe(500)
    const events = await eventsFor(recorder, 'Planted server error from /api/debug/sentry')
    expect(events).toHaveLength(1)
    const [event] = events
    expect(event?.tags?.request_id).toBe(response.headers()['x-request-id'])
    expect(event?.user).toBeUndefined()
    expect(event?.request?.data).toBeUndefined()
    expect(event?.request?.cookies).toBeUndefined()
    expectNothingPlanted(recorder)
  })

  test('a server action error arrives once, named after the action, with the request ID', async ({ page }) => {
    await page.context().addCookies([{ name: 'session', value: PLANTED.cookie, url: app.url }])
    await page.setExtraHTTPHeaders({ Authorization: `Bearer ${PLANTED.bearer}` })
    await page.goto(`${app.url}/debug/sentry?token=${PLANTED.queryToken}`)
    await page.getByLabel('Email').fill(PLANTED.email)
    await page.getByLabel('Password').fill(PLANTED.password)
    const [actionResponse] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/debug/sentry'),
      page.getByRole('button', { name: 'Run a failing server action' }).click(),
    ])
    await expect(page.getByRole('heading', { name: 'Something went wrong' })).toBeVisible()

    const events = await eventsFor(recorder, 'Planted server action error from /debug/sentry')
    expect(events).toHaveLength(1)
    const [event] = events
    expect(event?.tags?.request_id).toBe(actionResponse.headers()['x-request-id'])
    expect(event?.tags?.server_action).toBe('failingDebugAction')
    expect(event?.transaction).toBe('serverAction/failingDebugAction')
    expect(event?.user).toBeUndefined()
    expectNothingPlanted(recorder)
  })

  test('a server component render error arrives once, from the server only', async ({ page }) => {
    const response = await page.goto(`${app.url}/debug/error?password=${PLANTED.password}`)
    expect(response?.status()).toBe(500)
    await expect(page.getByRole('heading', { name: 'Something went wrong' })).toBeVisible()

    const events = await eventsFor(recorder, 'Planted render error from /debug/error')
    expect(events).toHaveLength(1)
    const [event] = events
    expect(event?.tags?.request_id).toBe(response?.headers()['x-request-id'])
    expect(event?.tags?.digest).toBe(await page.getByTestId('error-digest').textContent())
    await expect(page.getByTestId('reference')).toHaveText(response!.headers()['x-request-id']!)
    expect(event?.user).toBeUndefined()
    expectNothingPlanted(recorder)
  })

  test('a browser error reaches Sentry through /monitoring, and the browser talks to no other origin', async ({ page }) => {
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
    const envelope = recorder.envelopes.find((candidate) => candidate.items.some((item) => item.text.includes('Planted browser error')))
    expect(envelope?.requestHeaders['x-sentry-auth']).toContain('sentry_client=signalbox-tunnel')

    // The replay of the moments before the error follows, through the same tunnel.
    await recorder.waitFor(() => recorder.items('replay_event').length > 0, 20_000)
    expectNothingPlanted(recorder)
  })

  test('every page loads with zero CSP violations while the SDK and Session Replay run', async ({ page }) => {
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

  test('a panel that throws while rendering shows its fallback and reports, the page keeps working', async ({ page }) => {
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
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    await page.getByRole('button', { name: 'Throw in an async handler' }).click()
    const events = await eventsFor(recorder, 'Planted async handler error from /debug/sentry')
    expect(events).toHaveLength(1)
    expect(events[0]?.exception?.values?.[0]?.mechanism?.type).toMatch(/onunhandledrejection/)
  })

  test('events of a signed-in user carry that user (ID and organization only), never another, under concurrency', async ({ browser }) => {
    const users = [await signedInUser(browser, app, 'alice'), await signedInUser(browser, app, 'bob')]
    await expectEachEventNamesItsUser(recorder, app, users)

    // In the browser, once the signed-in shell has loaded, errors carry the user too, and they
    // leave through /monitoring: the browser contacts no other origin for them.
    const page = await users[0]!.context.newPage()
    const requests = recordRequests(page)
    const pageResponse = await page.goto(`${app.url}/customers`)
    await page.waitForLoadState('networkidle') // the SDK chunk and the user arrive after hydration
    await page.waitForTimeout(1000)
    await page.evaluate(() => setTimeout(() => {
      throw new Error('Planted browser error on a signed-in page')
    }, 0))
    const browserEvents = await eventsFor(recorder, 'Planted browser error on a signed-in page')
    expect(browserEvents).toHaveLength(1)
    const [browserEvent] = browserEvents
    expect(browserEvent?.user).toEqual({ id: users[0]!.id })
    expect(browserEvent?.tags?.request_id).toBe(pageResponse?.headers()['x-request-id'])
    const appOrigin = new URL(app.url).origin
    expect(requests.filter((url) => url.origin !== appOrigin).map(String)).toEqual([])
    expect(requests.some((url) => url.pathname === '/monitoring')).toBe(true)
    const envelope = recorder.envelopes.find((candidate) => candidate.items.some((item) => item.text.includes('Planted browser error on a signed-in page')))
    expect(envelope?.requestHeaders['x-sentry-auth']).toContain('sentry_client=signalbox-tunnel')
    for (const user of users) expect(recorder.allText()).not.toContain(user.email)
    for (const user of users) await user.context.close()
  })

  test('signed in, route handler, server action and render errors each arrive once, naming the user', async ({ browser }) => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await signUp(page, app, PLANTED.email, { name: 'Operator', password: PLANTED.password })
    const session = (await (await context.request.get(`${app.url}/api/auth/session`)).json()) as { user: { id: string }; orgId: string }
    /** Events with `message` from the request `requestId`, once a duplicate would have shown up. */
    const eventsOf = async (message: string, requestId: string | undefined) => {
      expect(requestId).toBeTruthy()
      const matching = () => recorder.eventsWithMessage(message).filter((event) => event.tags?.request_id === requestId)
      await recorder.waitFor(() => matching().length > 0, 15_000)
      await new Promise((resolve) => setTimeout(resolve, 2000))
      return matching()
    }
    const expectSignedInEvent = (events: RecordedEvent[]) => {
      expect(events).toHaveLength(1)
      expect(events[0]?.user).toEqual({ id: session.user.id })
      expect(events[0]?.tags?.org_id).toBe(session.orgId)
    }

    const route = await context.request.get(`${app.url}/api/debug/sentry`)
    expect(route.status()).toBe(500)
    expectSignedInEvent(await eventsOf('Planted server error from /api/debug/sentry', route.headers()['x-request-id']))

    await page.goto(`${app.url}/debug/sentry`)
    const [actionResponse] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/debug/sentry'),
      page.getByRole('button', { name: 'Run a failing server action' }).click(),
    ])
    const actionEvents = await eventsOf('Planted server action error from /debug/sentry', actionResponse.headers()['x-request-id'])
    expectSignedInEvent(actionEvents)
    expect(actionEvents[0]?.tags?.server_action).toBe('failingDebugAction')

    const render = await page.goto(`${app.url}/debug/error`)
    expect(render?.status()).toBe(500)
    expectSignedInEvent(await eventsOf('Planted render error from /debug/error', render?.headers()['x-request-id']))

    // The signed-in user's email and password never reach Sentry either.
    expectNothingPlanted(recorder)
    await context.close()
  })

  test('the tunnel refuses envelopes for another DSN (400) and bodies over 1 MB (413)', async ({ request }) => {
    const foreign = await request.post(`${app.url}/monitoring`, {
      data: envelopeFor(`http://otherkey@127.0.0.1:${recorder.port}/2`, '{"message":"refused: foreign dsn"}'),
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
    })
    expect(foreign.status()).toBe(400)
    const notAnEnvelope = await request.post(`${app.url}/monitoring`, { data: 'hello' })
    expect(notAnEnvelope.status()).toBe(400)
    const huge = await request.post(`${app.url}/monitoring`, {
      data: envelopeFor(recorder.dsn, JSON.stringify({ message: `refused: too large ${'x'.repeat(1_500_000)}` })),
      headers: { 'Content-Type': 'application/x-sentry-envelope' },
    })
    expect(huge.status()).toBe(413)
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(recorder.allText()).not.toContain('refused:')
  })

  test('with SENTRY_TRACES_SAMPLE_RATE=0 errors still arrive, scoped to their user, and no span, transaction or client report is sent', async ({ browser, request }) => {
    // The same build; the server reads its sample rate at run time. A rate of 0 must mean errors
    // only: with `tracesSampleRate: 0` the SDK still traces every request and reports each
    // dropped transaction in a client_report envelope.
    const errorsOnly = await startSentryRecorder()
    const app = await startServer({ distDir: DIST_DIR, env: { NEXT_PUBLIC_SENTRY_DSN: errorsOnly.dsn, SENTRY_TRACES_SAMPLE_RATE: '0', DEBUG_ROUTES: '1' }, waitForReady: true })
    const users: SignedInUser[] = []
    try {
      try {
        for (let i = 0; i < 5; i++) expect((await request.get(`${app.url}/status`)).status()).toBe(200)
        const failed = await request.get(`${app.url}/api/debug/sentry`)
        expect(failed.status()).toBe(500)
        const events = await eventsFor(errorsOnly, 'Planted server error from /api/debug/sentry')
        expect(events).toHaveLength(1)
        expect(events[0]?.tags?.request_id).toBe(failed.headers()['x-request-id'])
        // Without tracing the SDK still isolates each request's scope.
        users.push(await signedInUser(browser, app, 'carol'), await signedInUser(browser, app, 'dave'))
        await expectEachEventNamesItsUser(errorsOnly, app, users)
      } finally {
        await app.stop()
      }
      expect(errorsOnly.items('transaction', 'span', 'client_report').map((item) => item.type)).toEqual([])
    } finally {
      for (const user of users) await user.context.close()
      await errorsOnly.close()
    }
  })

  test('when the upstream is down or silent, the tunnel answers 502 / 504 fast', async ({ request }) => {
    // The same build; only the server's (run-time) DSN matters to the tunnel.
    const port = await freePort() // nothing listens here yet
    const dsn = `http://publickey@127.0.0.1:${port}/1`
    const app = await startServer({ distDir: DIST_DIR, env: { NEXT_PUBLIC_SENTRY_DSN: dsn }, waitForReady: true })
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => sockets.add(socket)) // accepts, never answers
    try {
      const post = (client: APIRequestContext) =>
        client.post(`${app.url}/monitoring`, { data: envelopeFor(dsn), headers: { 'Content-Type': 'application/x-sentry-envelope' }, timeout: 10_000 })

      let started = Date.now()
      const refused = await post(request)
      expect(refused.status()).toBe(502)
      expect(Date.now() - started).toBeLessThan(1500)

      await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve))
      started = Date.now()
      const hanging = await post(request)
      expect(hanging.status()).toBe(504)
      expect(Date.now() - started).toBeLessThan(4500)
      expect(app.output.some((line) => line.includes('sentry_tunnel_failed'))).toBe(true)
    } finally {
      await app.stop()
      for (const socket of sockets) socket.destroy()
      silent.close()
    }
  })
})

test('without a DSN nothing is sent, nothing breaks, and the tunnel does not exist', async ({ page, request }) => {
  const recorder = await startSentryRecorder()
  // The default .next build (no DSN inlined), and no DSN at run time either.
  const app = await startServer({ env: { DEBUG_ROUTES: '1', NEXT_PUBLIC_SENTRY_DSN: undefined }, waitForReady: true })
  try {
    const requests = recordRequests(page)
    expect((await request.get(`${app.url}/api/debug/sentry`)).status()).toBe(500)
    expect((await page.goto(`${app.url}/debug/error`))?.status()).toBe(500)
    await page.goto(`${app.url}/debug/sentry`)
    await page.waitForLoadState('networkidle')
    await page.getByRole('button', { name: 'Throw in the browser' }).click()
    await page.getByRole('button', { name: 'Break the panel' }).click()
    await expect(page.getByText('This panel failed and has been reported')).toBeVisible()
    expect(await page.evaluate(() => '__SENTRY__' in window)).toBe(false)

    const tunnel = await request.post(`${app.url}/monitoring`, { data: envelopeFor(recorder.dsn) })
    expect(tunnel.status()).toBe(404)

    await new Promise((resolve) => setTimeout(resolve, 2000))
    expect(requests.filter((url) => url.pathname === '/monitoring')).toEqual([])
    expect(requests.filter((url) => url.origin !== new URL(app.url).origin).map(String)).toEqual([])
    expect(recorder.requests).toEqual([])
  } finally {
    await app.stop()
    await recorder.close()
  }
})
