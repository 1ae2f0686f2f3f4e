// Product analytics without a PostHog key, against the default (key-free) production build:
// nothing is loaded or sent, by the browser or the server, while track() still runs and logs;
// and a feature flag set to off through FEATURE_FLAGS hides what it gates. With a key:
// analytics.spec.ts.
import { expect, test } from '@playwright/test'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import { PERSON_USER_AGENT, hideWebdriver, signUpAndCreateCustomer } from './support/analytics'
import { jsonLines } from './support/logs'
import { startServer, type AppServer } from './support/server'

// As in analytics.spec.ts: posthog-js would send nothing from a browser that looks automated,
// which would make "nothing is sent" true for the wrong reason.
test.use({ userAgent: PERSON_USER_AGENT })
test.beforeEach(async ({ page }) => {
  await hideWebdriver(page)
})

test.describe('analytics without a key', () => {
  let app: AppServer
  let recorder: PostHogRecorder
  test.beforeAll(async () => {
    // PostHog's hosts point at a live recorder, so anything the server tried to send would arrive.
    recorder = await startPostHogRecorder()
    app = await startServer({
      env: {
        NEXT_PUBLIC_POSTHOG_KEY: undefined,
        POSTHOG_HOST: recorder.url,
        POSTHOG_ASSETS_HOST: recorder.url,
        FEATURE_FLAGS: 'customer_history=false',
        LOG_LEVEL: 'debug', // the console adapter's analytics_event lines show track() ran
      },
    })
  })
  test.afterAll(async () => {
    await app?.stop()
    await recorder?.close()
  })

  test('nothing is loaded or sent, by the browser or the server, and a flag set to off hides what it gates', async ({
    page,
  }) => {
    const requests: string[] = []
    page.on('request', (request) => requests.push(request.url()))
    const { actionRequestId } = await signUpAndCreateCustomer(page, app, `nokey-${Date.now()}@example.com`)
    await page.getByRole('link', { name: 'Grace Hopper' }).click()
    await expect(page.getByRole('heading', { name: 'Grace Hopper' })).toBeVisible()
    await expect(page.getByRole('heading', { name: 'Who changed this?' })).toHaveCount(0)
    expect(requests.filter((url) => new URL(url).pathname.startsWith('/ingest'))).toEqual([])
    expect(requests.filter((url) => new URL(url).origin !== app.url)).toEqual([])

    // The server did record the events (after each response), only to its log.
    await expect
      .poll(
        () =>
          jsonLines(app)
            .filter((l) => l.msg === 'analytics_event')
            .map((l) => l.event),
        { timeout: 10_000 },
      )
      .toEqual(expect.arrayContaining(['signed_up', 'customer_created']))
    const created = jsonLines(app).find((l) => l.msg === 'analytics_event' && l.event === 'customer_created')
    expect(created).toMatchObject({ properties: { request_id: actionRequestId, feature: 'customers' } })
    await page.waitForTimeout(1000) // a send scheduled with after() would have arrived by now
    expect(recorder.requests).toEqual([])
  })
})
