// SENTRY_TRACES_SAMPLE_RATE=0 on the same build: errors only. Errors still arrive, scoped to
// their user, and no span, transaction or client report is sent. Registered by sentry.spec.ts.
import { expect, test } from '@playwright/test'
import { startSentryRecorder } from '../../support/sentry-recorder'
import {
  SENTRY_DIST_DIR,
  eventsFor,
  expectEachEventNamesItsUser,
  signedInUser,
  type SignedInUser,
} from '../support/sentry'
import { startServer } from '../support/server'

/** Needs only the build: sentry.spec.ts registers it after its beforeAll has made it. */
export function errorsOnlyTests(): void {
  test('with SENTRY_TRACES_SAMPLE_RATE=0 errors still arrive, scoped to their user, and no span, transaction or client report is sent', async ({
    browser,
    request,
  }) => {
    // The same build; the server reads its sample rate at run time. A rate of 0 must mean errors
    // only: with `tracesSampleRate: 0` the SDK still traces every request and reports each
    // dropped transaction in a client_report envelope.
    const errorsOnly = await startSentryRecorder()
    const app = await startServer({
      distDir: SENTRY_DIST_DIR,
      env: { NEXT_PUBLIC_SENTRY_DSN: errorsOnly.dsn, SENTRY_TRACES_SAMPLE_RATE: '0', DEBUG_ROUTES: '1' },
      waitForReady: true,
    })
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
}
