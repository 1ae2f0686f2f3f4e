// Errors of signed-in users with a DSN: each event names its own user (ID and organization
// only), never another, under concurrency, in the browser and on the server. Registered by
// sentry.spec.ts.
import { expect, test } from '@playwright/test'
import type { RecordedEvent } from '../../support/sentry-recorder'
import { signUp } from '../support/auth'
import {
  PLANTED,
  eventsFor,
  expectEachEventNamesItsUser,
  expectNothingPlanted,
  recordRequests,
  signedInUser,
  type SentryServer,
} from '../support/sentry'

export function signedInUserTests(served: SentryServer): void {
  test('events of a signed-in user carry that user (ID and organization only), never another, under concurrency', async ({
    browser,
  }) => {
    const { app, recorder } = served
    const users = [await signedInUser(browser, app, 'alice'), await signedInUser(browser, app, 'bob')]
    await expectEachEventNamesItsUser(recorder, app, users)

    // In the browser, once the signed-in shell has loaded, errors carry the user too, and they
    // leave through /monitoring: the browser contacts no other origin for them.
    const page = await users[0]!.context.newPage()
    const requests = recordRequests(page)
    const pageResponse = await page.goto(`${app.url}/customers`)
    await page.waitForLoadState('networkidle') // the SDK chunk and the user arrive after hydration
    await page.waitForTimeout(1000)
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('Planted browser error on a signed-in page')
      }, 0),
    )
    const browserEvents = await eventsFor(recorder, 'Planted browser error on a signed-in page')
    expect(browserEvents).toHaveLength(1)
    const [browserEvent] = browserEvents
    expect(browserEvent?.user).toEqual({ id: users[0]!.id })
    expect(browserEvent?.tags?.request_id).toBe(pageResponse?.headers()['x-request-id'])
    const appOrigin = new URL(app.url).origin
    expect(requests.filter((url) => url.origin !== appOrigin).map(String)).toEqual([])
    expect(requests.some((url) => url.pathname === '/monitoring')).toBe(true)
    const envelope = recorder.envelopes.find((candidate) =>
      candidate.items.some((item) => item.text.includes('Planted browser error on a signed-in page')),
    )
    expect(envelope?.requestHeaders['x-sentry-auth']).toContain('sentry_client=signalbox-tunnel')
    for (const user of users) expect(recorder.allText()).not.toContain(user.email)
    for (const user of users) await user.context.close()
  })

  test('signed in, route handler, server action and render errors each arrive once, naming the user', async ({
    browser,
  }) => {
    const { app, recorder } = served
    const context = await browser.newContext()
    const page = await context.newPage()
    await signUp(page, app, PLANTED.email, { name: 'Operator', password: PLANTED.password })
    const session = (await (await context.request.get(`${app.url}/api/auth/session`)).json()) as {
      user: { id: string }
      orgId: string
    }
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
      page.waitForResponse(
        (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/debug/sentry',
      ),
      page.getByRole('button', { name: 'Run a failing server action' }).click(),
    ])
    const actionEvents = await eventsOf(
      'Planted server action error from /debug/sentry',
      actionResponse.headers()['x-request-id'],
    )
    expectSignedInEvent(actionEvents)
    expect(actionEvents[0]?.tags?.server_action).toBe('failingDebugAction')

    const render = await page.goto(`${app.url}/debug/error`)
    expect(render?.status()).toBe(500)
    expectSignedInEvent(await eventsOf('Planted render error from /debug/error', render?.headers()['x-request-id']))

    // The signed-in user's email and password never reach Sentry either.
    expectNothingPlanted(recorder)
    await context.close()
  })
}
