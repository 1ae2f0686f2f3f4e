// Server errors with a DSN: a route handler's, a server action's and a server component's each
// arrive once, with the request ID, and without any secret planted in the request. Registered
// by sentry.spec.ts, which builds and starts the server.
import { expect, test } from '@playwright/test'
import { PLANTED, eventsFor, expectNothingPlanted, type SentryServer } from '../support/sentry'

export function serverErrorTests(served: SentryServer): void {
  test('a route handler error arrives once, with the request ID and no planted secret', async ({ request }) => {
    const { app, recorder } = served
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
    const { app, recorder } = served
    await page.context().addCookies([{ name: 'session', value: PLANTED.cookie, url: app.url }])
    await page.setExtraHTTPHeaders({ Authorization: `Bearer ${PLANTED.bearer}` })
    await page.goto(`${app.url}/debug/sentry?token=${PLANTED.queryToken}`)
    await page.getByLabel('Email').fill(PLANTED.email)
    await page.getByLabel('Password').fill(PLANTED.password)
    const [actionResponse] = await Promise.all([
      page.waitForResponse(
        (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/debug/sentry',
      ),
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
    const { app, recorder } = served
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
}
