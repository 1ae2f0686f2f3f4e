// Scenario 1c, SIGTERM with PostHog hung: the drains must leave the SDKs their share of the
// deadline. A production build (`next start` as `npm start` starts it) with a PostHog key pointed
// at a front that reads every request and never answers, and OTLP export to a healthy local
// receiver 100 ms away (a front that forwards each export after 100 ms if the exporter is still
// waiting for it, as a collector across a network does). One anonymous request that owes a PostHog send (POST /api/browser-events with a Web
// Vital: its `web_vital` event is sent through after()); once that send has reached the hung
// front, the server gets SIGTERM. posthog-node holds a send to a PostHog that never answers for
// about 9 s, so the event is still owed when the drain's time (nine tenths of the deadline) runs
// out, and the drain would have used the whole deadline had it not stopped there.
//
// The batch span processor's own timer is set past the test (OTEL_BSP_SCHEDULE_DELAY), so the
// request's spans leave the process only through the shutdown's flush.
//
// Asserts: the receiver got the request's spans before the process exited, and the shutdown's
// last line says `spans_sent: true` (and, without a DSN, nothing of Sentry's events); the owed
// event is named by an `analytics_capture_abandoned` line; the process exited on its own within
// SHUTDOWN_TIMEOUT_MS (+1 s, as scenario 1), with 1 (an event was given up). With the drain allowed the whole deadline (FLUSH_SHARE = 0 in
// lib/shutdown.ts, checked on a patched copy of the build), the exporter gets 1 ms, the process
// exits before the collector's answer and the spans never arrive; `spans_sent` is false.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from '../e2e/support/logs'
import { startServer, type AppServer } from '../e2e/support/server'
import { startFaultyUpstream, type FaultyUpstream } from '../support/faulty-upstream'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import { startScriptVariables } from './support/app'

const DEADLINE_MS = 4000
/** The collector's distance: well inside the SDKs' tenth of the deadline (400 ms). */
const COLLECTOR_LATENCY_MS = 100
const EXIT_MARGIN_MS = 1000
const DIST_DIR = process.env.RELIABILITY_DIST_DIR?.trim() || '.next'
const REQUEST_ID = 'sigterm-flush-0001'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('scenario 1c SIGTERM with PostHog hung', () => {
  let recorder: PostHogRecorder
  let posthog: FaultyUpstream
  let otlp: OtlpReceiver
  let collector: FaultyUpstream
  let app: AppServer

  beforeAll(async () => {
    if (!existsSync(path.join(DIST_DIR, 'BUILD_ID'))) throw new Error(`no production build in ${DIST_DIR}: next build`)
    recorder = await startPostHogRecorder()
    posthog = await startFaultyUpstream(recorder.url)
    posthog.mode = 'hung'
    otlp = await startOtlpReceiver()
    collector = await startFaultyUpstream(otlp.endpoint, { slowMs: COLLECTOR_LATENCY_MS })
    collector.mode = 'slow'
    app = await startServer({
      waitForReady: true,
      distDir: DIST_DIR === '.next' ? undefined : DIST_DIR,
      env: {
        ...startScriptVariables(),
        NEXT_PUBLIC_POSTHOG_KEY: 'phc_sigterm_flush',
        POSTHOG_HOST: posthog.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
        NEXT_PUBLIC_SENTRY_DSN: undefined,
      },
    })
  })

  afterAll(async () => {
    await app?.stop()
    await posthog?.close()
    await collector?.close()
    await recorder?.close()
    await otlp?.close()
  })

  it('flushes the spans to a healthy collector while the drain waits for a hung PostHog, within the deadline', async () => {
    const exited = new Promise<{ code: number | null; at: number; spans: ReceivedSpan[] }>((resolve) =>
      app.process.once('exit', (code) => resolve({ code, at: Date.now(), spans: [...otlp.spans] })),
    )
    const response = await fetch(`${app.url}/api/browser-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': REQUEST_ID },
      body: JSON.stringify({
        entries: [{ type: 'vital', name: 'LCP', value: 1200, rating: 'good', id: 'v1', route: '/status' }],
      }),
    })
    expect(response.status).toBe(204)
    // The event's send has reached PostHog, which will never answer it.
    for (let waited = 0; posthog.received.hung === 0; waited += 20) {
      if (waited > 5000) throw new Error('the web_vital event never reached the PostHog front')
      await sleep(20)
    }
    const ours = (spans: ReceivedSpan[]) => spans.filter((span) => span.attributes.request_id === REQUEST_ID)
    expect(ours(otlp.spans)).toEqual([]) // nothing exported before the shutdown's flush

    const signalledAt = Date.now()
    app.process.kill('SIGTERM')
    const exit = await exited
    const lines = jsonLines(app)
    const finished = lines.find((line) => line.msg === 'shutdown_finished')

    expect(ours(exit.spans).length, "the request's spans at the collector when the process exited").toBeGreaterThan(0)
    expect(ours(exit.spans).some((span) => span.kind === 2)).toBe(true) // the request's server span
    expect(finished).toMatchObject({ spans_sent: true, analytics_events_abandoned: 1 })
    expect(finished).not.toHaveProperty('error_events_sent') // no DSN: no delivery to claim
    expect(lines.filter((line) => line.msg === 'analytics_capture_abandoned').map((line) => line.request_id)).toEqual([
      REQUEST_ID,
    ])
    expect(lines.some((line) => line.msg === 'shutdown_hung')).toBe(false)
    expect(exit.code).toBe(1)
    expect(exit.at - signalledAt).toBeLessThanOrEqual(DEADLINE_MS + EXIT_MARGIN_MS)
  })
})
