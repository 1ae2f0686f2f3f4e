// Error tracking end to end: the real Sentry SDK (server and browser) against a local server
// that records what arrives (tests/support/sentry-recorder.ts). The DSN is inlined into the
// browser bundle at build time, so this spec makes one extra production build, with the
// recorder's DSN, into its own directory; the default .next build stays DSN-free.
//
// That build takes minutes, so this one spec makes it and starts one server and one recorder
// for every test that needs them; the tests themselves live in tests/e2e/sentry/, one file per
// subject, and run here in this order (the earlier ones expect to see each of their events
// once, before later tests send more of the same). Without a DSN: sentry-without-dsn.spec.ts.
import { test } from '@playwright/test'
import { startSentryRecorder } from '../support/sentry-recorder'
import { browserErrorTests } from './sentry/browser-errors'
import { errorsOnlyTests } from './sentry/errors-only'
import { firstLoadTests } from './sentry/first-load'
import { serverErrorTests } from './sentry/server-errors'
import { signedInUserTests } from './sentry/signed-in-users'
import { tunnelTests } from './sentry/tunnel'
import { SENTRY_DIST_DIR, type SentryServer } from './support/sentry'
import { buildApp, startServer } from './support/server'

test.describe('error tracking with a DSN', () => {
  const served = {} as SentryServer

  test.beforeAll(async () => {
    test.setTimeout(300_000)
    served.recorder = await startSentryRecorder()
    const env = { NEXT_PUBLIC_SENTRY_DSN: served.recorder.dsn, SENTRY_TRACES_SAMPLE_RATE: '1' }
    await buildApp({ distDir: SENTRY_DIST_DIR, env })
    served.app = await startServer({ distDir: SENTRY_DIST_DIR, env: { ...env, DEBUG_ROUTES: '1' }, waitForReady: true })
  })
  test.afterAll(async () => {
    await served.app?.stop()
    await served.recorder?.close()
  })

  serverErrorTests(served)
  browserErrorTests(served)
  signedInUserTests(served)
  tunnelTests(served)
  firstLoadTests()
  errorsOnlyTests()
})
