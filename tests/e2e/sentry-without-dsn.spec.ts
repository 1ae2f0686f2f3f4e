// Error tracking without a DSN, against the default (DSN-free) production build: nothing is
// sent, nothing breaks, and the /monitoring tunnel does not exist. With a DSN: sentry.spec.ts.
import { expect, test } from '@playwright/test'
import { startSentryRecorder } from '../support/sentry-recorder'
import { envelopeFor, recordRequests } from './support/sentry'
import { startServer } from './support/server'

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
