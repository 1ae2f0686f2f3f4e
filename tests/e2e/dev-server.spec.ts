// The front door: on a clean clone, `npm run dev` serves the app with no .env file and no
// database server, and the local inspector shows what each request did with no vendor key. The test copies the checkout as a clone has it (never .env, .data/ or
// .next/) into a temporary folder and runs `npm run dev` there with DATABASE_URL unset, so
// the embedded database lands in the copy's .data/ and never in the developer's.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { copyCheckout } from '../support/checkout-copy.mjs'
import { signUp } from './support/auth'
import { directivesOf, watchCsp } from './support/csp'
import { freePort, type AppServer } from './support/server'

function cleanCloneOfThisCheckout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'signalbox-dev-'))
  copyCheckout(process.cwd(), dir)
  return dir
}

/** The ID of the request that served what the page shows, as lib/request/client.ts finds it. */
const pageRequestId = (page: Page) =>
  page.evaluate(() => {
    const ridOf = (entry: PerformanceEntry | undefined) =>
      (entry as PerformanceResourceTiming | undefined)?.serverTiming?.find((timing) => timing.name === 'rid')
        ?.description || undefined
    const path = window.location.pathname
    const fetches = performance.getEntriesByType('resource').filter((entry) => {
      try {
        return new URL(entry.name).pathname === path && ridOf(entry)
      } catch {
        return false
      }
    })
    return ridOf(fetches.at(-1)) ?? ridOf(performance.getEntriesByType('navigation')[0])
  })

test('npm run dev serves the app with no .env file and no DATABASE_URL, and a person can use it at 127.0.0.1 and see what each request did', async ({
  page,
  request,
}) => {
  test.setTimeout(420_000) // each page compiles on its first request in development
  const dir = cleanCloneOfThisCheckout()
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }
  // No vendor key of any kind: the inspector below is all there is. DEBUG_ROUTES for /debug/error.
  for (const name of [
    'DATABASE_URL',
    'AUTH_SECRET',
    'NODE_ENV',
    'NEXT_DIST_DIR',
    'NEXT_PUBLIC_SENTRY_DSN',
    'NEXT_PUBLIC_POSTHOG_KEY',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'FEATURE_FLAGS',
  ])
    delete env[name]
  env.DEBUG_ROUTES = '1'
  // Its own process group, so stopping it stops npm, the shell and Next together. No -H, as a
  // person runs it: Next then trusts only localhost's origin for its dev resources, and the page
  // below is opened at 127.0.0.1, which next.config.js must allow.
  const dev = spawn('npm', ['run', 'dev', '--', '-p', String(port)], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  try {
    expect(existsSync(path.join(dir, '.env'))).toBe(false)
    let home
    for (const deadline = Date.now() + 180_000; ;) {
      expect(dev.exitCode, `npm run dev exited:\n${output}`).toBeNull()
      home = await request.get(`${url}/`, { timeout: 120_000 }).catch(() => undefined)
      if (home || Date.now() > deadline) break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(home?.status(), output).toBe(200)
    expect(await home!.text()).toContain('Signalbox')
    // The development policy: eval for React Refresh and inline styles for the error overlay,
    // nothing else relaxed, and no HSTS for localhost. The page hydrates under it.
    const policy = directivesOf(home!.headers()['content-security-policy'])
    expect(policy.get('script-src')).toContain("'unsafe-eval'")
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'")
    expect(home!.headers()['strict-transport-security']).toBeUndefined()
    const csp = await watchCsp(page)
    await page.goto(`${url}/`, { timeout: 120_000 })
    await expect
      .poll(() => page.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version), {
        timeout: 60_000,
      })
      .toBe('string')
    expect(csp.violations).toEqual([])

    // The first check compiles the route, then opens and migrates the embedded database, which
    // may outlast the check's 1 s bound on a loaded machine: ready is 503 until it is done.
    let body: unknown
    await expect
      .poll(
        async () => {
          const ready = await request.get(`${url}/api/ready`, { timeout: 120_000 })
          body = await ready.json()
          return ready.status()
        },
        { timeout: 150_000 },
      )
      .toBe(200)
    expect(body).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } })
    expect(existsSync(path.join(dir, '.data', 'pglite')), 'the embedded database lives in the clone').toBe(true)
    // Next prints each request with its raw URL unless told not to; ours redacts query values.
    expect((await request.get(`${url}/sign-in?code=query-value-for-the-terminal`, { timeout: 120_000 })).status()).toBe(
      200,
    )

    // Next prints each server action call with its arguments unless told not to, outside our
    // redacting logger. A second sign-in attempt's call carries the form's previous state, with
    // the email typed in it. (Checked at the end, when every line has been printed.)
    const stranger = await page.context().browser()!.newPage()
    try {
      await stranger.goto(`${url}/sign-in`, { timeout: 120_000 })
      await expect
        .poll(
          () => stranger.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version),
          { timeout: 60_000 },
        )
        .toBe('string')
      await stranger.getByLabel('Email').fill('someone.typed@example.com')
      for (let attempt = 0; attempt < 2; attempt++) {
        // React resets the form after each answer; the email comes back from the state, the
        // password does not.
        await stranger.getByLabel('Password').fill('not the password')
        const answered = stranger.waitForResponse(
          (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/sign-in',
          { timeout: 120_000 },
        )
        await stranger.getByRole('button', { name: 'Sign in' }).click()
        await answered
        await expect(stranger.getByText('Email or password is incorrect.')).toBeVisible({ timeout: 60_000 })
      }
    } finally {
      await stranger.close()
    }

    // What a person does on the first day, in the browser at 127.0.0.1: sign up, add a
    // customer through the drawer (client JavaScript), and find it on /activity.
    const app = { url } as AppServer
    await signUp(page, app, 'first.day@example.com', { timeout: 120_000 })
    await page.getByRole('button', { name: 'New customer' }).click()
    const drawer = page.getByRole('dialog', { name: 'New customer' })
    await expect(drawer).toBeVisible({ timeout: 60_000 })
    // The drawer's track() call is beaconed (development only) under the request of the page it
    // happened on: found in the inspector below.
    const drawerPageId = await pageRequestId(page)
    expect(drawerPageId).toBeTruthy()
    await drawer.getByLabel('Name').fill('First Customer')
    await drawer.getByLabel('Email').fill('first.customer@example.com')
    await drawer.getByRole('button', { name: 'Save customer' }).click()
    await expect(drawer).toBeHidden({ timeout: 60_000 })
    await expect(page.getByRole('link', { name: 'First Customer' })).toBeVisible()
    await page.getByRole('link', { name: 'Activity' }).click()
    await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible({ timeout: 60_000 })
    await expect(page.getByText('customer.created').first()).toBeVisible()
    const creation = page.getByRole('row').filter({ hasText: 'customer.created' }).getByTestId('request-id')
    const creationId = (await creation.textContent())!.trim()

    // The 2am question with no keys: a page failed, here is its reference, what happened? The
    // error page's reference opens the inspector, which shows each pillar's part of that request.
    await page.goto(`${url}/debug/error`, { timeout: 120_000 })
    const reference = page.getByTestId('reference')
    await expect(reference).toBeVisible({ timeout: 60_000 })
    const referenceId = (await reference.textContent())!.trim()
    // The error page's own load, as its browser measured it: its vitals reach the inspector under
    // its reference (beaconed a few seconds after they are measured, while the page stays open).
    await expect
      .poll(async () => (await browserEntries(request, url, referenceId)).map((data) => `${data.type} ${data.name}`), {
        timeout: 90_000,
        message: "the error page's vitals in the inspector",
      })
      .toContain('vital TTFB')
    await page.goto(`${url}${await reference.locator('xpath=..').getAttribute('href')}`, { timeout: 120_000 })
    await expect(page.getByRole('heading', { name: 'Inspector' })).toBeVisible({ timeout: 60_000 })
    const detail = page.getByTestId('inspector-detail')
    await expect(detail.getByTestId('inspected-request-id')).toHaveText(referenceId, { timeout: 30_000 })
    const logs = detail.getByTestId('log-line')
    await expect(logs.filter({ hasText: 'Planted render error from /debug/error' }).first()).toBeVisible()
    await expect(logs.filter({ hasText: '"kind":"access"' }).filter({ hasText: '"status":500' })).toHaveCount(1)
    await expect(detail.getByTestId('span').first()).toBeVisible()
    const errorEvent = detail.getByTestId('error-event')
    await expect(errorEvent.first()).toContainText('Planted render error from /debug/error')
    await expect(errorEvent.first()).toContainText(`"request_id":"${referenceId}"`)
    await expect(errorEvent.first()).toContainText('user {"id":') // scoped to the signed-in user
    await expect(detail.getByTestId('browser-entry').filter({ hasText: 'vital TTFB' })).toBeVisible()
    const recentErrors = page.getByTestId('recent-requests')
    await page.getByLabel('Errors only').check()
    await expect(recentErrors.getByTestId('inspector-request').filter({ hasText: referenceId })).toBeVisible()
    await expect(recentErrors.getByTestId('inspector-request').filter({ hasText: creationId })).toHaveCount(0)
    await page.getByLabel('Errors only').uncheck()

    // The customer's creation, from its audit row's link: the row itself, the analytics event,
    // the flag evaluations, its queries' spans and its log lines, all under one request ID.
    await page.goto(`${url}/activity`, { timeout: 120_000 })
    await page.getByRole('row').filter({ hasText: 'customer.created' }).getByTestId('request-id').click()
    await expect(detail.getByTestId('inspected-request-id')).toHaveText(creationId, { timeout: 60_000 })
    // Where the link lands: the request's detail, not a list of every request above it.
    await expect(detail.getByTestId('inspected-request-id')).toBeInViewport()
    await expect(detail.getByTestId('audit-row').filter({ hasText: 'customer.created' })).toContainText('written')
    await expect(detail.getByTestId('analytics-event').filter({ hasText: 'customer_created' })).toContainText(
      'feature customers',
    )
    await expect(detail.getByTestId('log-line').filter({ hasText: '"kind":"access"' })).toHaveCount(1)
    for (const query of ['INSERT customers', 'INSERT audit_log'])
      await expect(detail.getByTestId('span').filter({ hasText: query })).toHaveCount(1)
    await expect(detail.getByTestId('flag-evaluation').filter({ hasText: 'customer_history' }).first()).toBeVisible()
    await expect(detail.getByTestId('error-event')).toHaveCount(0)

    // The browser's side of the page the drawer opened on: its track() call, in the Analytics panel.
    await expect
      .poll(
        async () => (await browserEntries(request, url, drawerPageId!)).map((data) => `${data.type} ${data.event}`),
        {
          timeout: 60_000,
          message: "the drawer's analytics call in the inspector",
        },
      )
      .toContain('analytics customers_drawer_opened')
    await page.goto(`${url}/dev/inspect?request=${encodeURIComponent(drawerPageId!)}`, { timeout: 120_000 })
    await expect(detail.getByTestId('inspected-request-id')).toHaveText(drawerPageId!, { timeout: 60_000 })
    await expect(detail.getByTestId('analytics-event').filter({ hasText: 'customers_drawer_opened' })).toContainText(
      'from the browser',
    )
    if (process.env.INSPECTOR_SCREENSHOT)
      await page.screenshot({ path: process.env.INSPECTOR_SCREENSHOT, fullPage: true })

    expect(output, 'the terminal shows an email typed in a form').not.toContain('someone.typed@example.com')
    expect(output, "the terminal shows a URL's query value").not.toContain('query-value-for-the-terminal')
    expect(output).not.toContain('Blocked cross-origin request')
    // What a new user would read as a fault in the template: Node's leak warning (the layers'
    // close listeners on a response) and Sentry's module hooks failing to register.
    expect(output).not.toContain('MaxListenersExceededWarning')
    expect(output).not.toContain('[Sentry]')
    expect(csp.violations).toEqual([])
  } finally {
    if (dev.pid) await stopProcessGroup(dev.pid)
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
})

/** What the inspector holds from the browser for one request (its data route, as the page reads it). */
async function browserEntries(request: APIRequestContext, url: string, requestId: string) {
  const response = await request.get(`${url}/api/dev/inspect?id=${encodeURIComponent(requestId)}`, { timeout: 60_000 })
  if (!response.ok()) return [] // not recorded yet
  const { entries } = (await response.json()) as { entries: { kind: string; data: Record<string, unknown> }[] }
  return entries.filter((entry) => entry.kind === 'browser').map((entry) => entry.data)
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Stops npm, the shell and Next together and waits until every one has gone: npm can exit
 * while Next's own server process is still writing .next/dev, and removing the folder under
 * it fails with ENOTEMPTY.
 */
async function stopProcessGroup(pgid: number) {
  const gone = async (withinMs: number) => {
    for (const deadline = Date.now() + withinMs; groupAlive(pgid) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 100))
    return !groupAlive(pgid)
  }
  if (!groupAlive(pgid)) return
  process.kill(-pgid, 'SIGTERM')
  if (await gone(10_000)) return
  process.kill(-pgid, 'SIGKILL')
  await gone(5_000)
}
