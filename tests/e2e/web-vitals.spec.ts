// Web Vitals from a real browser on the production build: web-vitals measures them in Chromium,
// the page beacons them to /api/browser-events when it is hidden, and /api/metrics shows them as
// histograms labelled by route pattern, never by path. All on the app's own origin, under its
// CSP. (With a PostHog key they also become `web_vital` events: analytics.spec.ts.)
import { expect, test, type Page } from '@playwright/test'
import { watchCsp } from './support/csp'
import { startServer, type AppServer } from './support/server'

const TOKEN = 'e2e-metrics-token-web-vitals-0123'

let app: AppServer
test.beforeAll(async () => {
  app = await startServer({ env: { METRICS_TOKEN: TOKEN }, waitForReady: true })
})
test.afterAll(async () => {
  await app?.stop()
})

const scrape = async () =>
  (await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text()

/** The observation count of one series, 0 while it does not exist. */
function countOf(exposition: string, metric: string, labels: string): number {
  const line = exposition.split('\n').find((text) => text.startsWith(`${metric}_count{${labels}}`))
  return line ? Number(line.split(' ').at(-1)) : 0
}

/** Loads `path`, waits for hydration and for web-vitals to be loaded, clicks (INP needs an interaction). */
async function visitAndInteract(page: Page, path: string) {
  await page.goto(`${app.url}${path}`)
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as { next?: { version?: string } }).next?.version))
    .toBe('string')
  // web-vitals is imported once the page is idle (within 3 s), then loads its chunk.
  await page.waitForTimeout(3500)
  // An interaction web-vitals is sure to see: it observes those of 40 ms or more (besides the
  // page's first input), measured to the paint that follows. A quick click on the bare body
  // painted nothing, and INP was sometimes never reported (1 run in 7, two CI runs).
  // Typing into a visible field paints; a keydown handler makes each keystroke take 60 ms.
  await page.evaluate(() =>
    document.addEventListener('keydown', () => {
      const started = performance.now()
      while (performance.now() - started < 60);
    }),
  )
  const field = page.getByRole('textbox').first()
  if (await field.isVisible()) {
    await field.click()
    await page.keyboard.type('ab', { delay: 100 })
  } else {
    await page.locator('body').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Tab')
  }
  await page.waitForTimeout(500) // INP is measured after the next paint
}

test('a page load reports LCP, FCP, TTFB, CLS and INP to Prometheus under its route pattern, with no CSP violation', async ({
  page,
}) => {
  const csp = await watchCsp(page)
  const beacons: number[] = []
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/api/browser-events') beacons.push(response.status())
  })
  await visitAndInteract(page, '/sign-in')
  await page.goto('about:blank') // hidden, then unloaded: web-vitals reports, the beacon flushes

  const route = 'route="/sign-in"'
  await expect
    .poll(
      async () => {
        const text = await scrape()
        return ['LCP', 'FCP', 'TTFB', 'INP'].filter(
          (name) => countOf(text, 'browser_web_vital_seconds', `name="${name}",${route}`) === 0,
        )
      },
      { timeout: 20_000, message: 'vitals missing from browser_web_vital_seconds' },
    )
    .toEqual([])
  const text = await scrape()
  expect(countOf(text, 'browser_cumulative_layout_shift', route)).toBeGreaterThanOrEqual(1)
  expect(text).toContain('# TYPE browser_web_vital_seconds histogram')
  expect(beacons.filter((status) => status !== 204)).toEqual([])
  expect(csp.violations).toEqual([])
})

test('a path no page serves is filed under route="other", and no path becomes a label', async ({ page }) => {
  const before = countOf(await scrape(), 'browser_web_vital_seconds', 'name="TTFB",route="other"')
  await visitAndInteract(page, '/no-such-page/planted-path-123')
  await page.goto('about:blank')
  await expect
    .poll(async () => countOf(await scrape(), 'browser_web_vital_seconds', 'name="TTFB",route="other"'), {
      timeout: 20_000,
    })
    .toBeGreaterThan(before)
  expect(await scrape()).not.toContain('planted-path-123')
})

test('a beacon from another origin is refused, and a forged route is filed as other', async () => {
  const entry = { type: 'vital', name: 'LCP', value: 100, rating: 'good', id: 'v6-x', route: '/customers/[id]' }
  const crossSite = await fetch(`${app.url}/api/browser-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    body: JSON.stringify({ entries: [entry] }),
  })
  expect(crossSite.status).toBe(403)
  const forged = await fetch(`${app.url}/api/browser-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entries: [{ ...entry, route: '/forged-label-987' }] }),
  })
  expect(forged.status).toBe(204)
  expect(forged.headers.get('x-request-id')).toBeTruthy() // the proxy gave it an ID, like every API route
  const text = await scrape()
  expect(text).not.toContain('forged-label-987')
  expect(countOf(text, 'browser_web_vital_seconds', 'name="LCP",route="other"')).toBeGreaterThanOrEqual(1)
})
