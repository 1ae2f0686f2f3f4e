// dependency_state{dependency,state} as a scrape shows it, flipped by real failures and real
// recoveries: each dependency sits behind a port that is unplugged (connection refused) and
// plugged back in, and each state comes from the code the app runs (the readiness route, the
// Sentry tunnel's route, PostHog sends, the OTLP exporter's verdict).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { forwardToPostHog } from '@/lib/analytics/ingest'
import { PostHogAnalytics, createPostHogClient } from '@/lib/analytics/posthog-server'
import { metrics, recordDependencyState, watchDependency } from '@/lib/metrics'
import { recordSpanExport } from '@/lib/startup'
import { ScrubbingExporter } from '@/lib/traces/tracing'
import { startOtlpReceiver } from '../support/otlp-receiver'
import { behindPortSwitch, startPortSwitch, type PortSwitch } from '../support/port-switch'
import { createThrowawayPostgres } from '../support/postgres.mjs'
import { startPostHogRecorder } from '../support/posthog-recorder'
import { startSentryRecorder } from '../support/sentry-recorder'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()

/** The dependency's series in the scrape text, e.g. { unknown: 0, up: 1, down: 0 }. */
async function stateOf(dependency: string): Promise<Record<string, number>> {
  const text = await metrics().registry.metrics()
  const states: Record<string, number> = {}
  const line = new RegExp(`^dependency_state\\{dependency="${dependency}",state="(\\w+)"\\} (\\d+)$`, 'gm')
  for (const [, state, value] of text.matchAll(line)) states[state ?? ''] = Number(value)
  return states
}
const UNKNOWN = { unknown: 1, up: 0, down: 0 }
const UP = { unknown: 0, up: 1, down: 0 }
const DOWN = { unknown: 0, up: 0, down: 1 }

let sentrySwitch: PortSwitch
let databaseSwitch: PortSwitch | undefined
const closers: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  const sentry = await startSentryRecorder()
  closers.push(() => sentry.close())
  sentrySwitch = await startPortSwitch({ host: '127.0.0.1', port: sentry.port })
  closers.push(() => sentrySwitch.close())
  // Read by lib/env on first use, by the routes below.
  vi.stubEnv('NEXT_PUBLIC_SENTRY_DSN', `http://publickey@127.0.0.1:${sentrySwitch.port}/1`)
  if (serverUrl) {
    // Migrated: /api/ready checks the schema's tables, not only that the server answers.
    const database = await createThrowawayPostgres(serverUrl)
    closers.push(() => database.drop())
    const switched = await behindPortSwitch(database.url)
    databaseSwitch = switched.plug
    closers.push(() => switched.plug.close())
    vi.stubEnv('DATABASE_URL', switched.url)
  }
})
afterAll(async () => {
  for (const close of closers.reverse()) await close()
})

describe('dependency_state', () => {
  it('a watched dependency is unknown until first seen, and watching again keeps what was seen', async () => {
    expect(await stateOf('otlp_collector')).toEqual({})
    watchDependency('otlp_collector')
    expect(await stateOf('otlp_collector')).toEqual(UNKNOWN)
    recordSpanExport('collector', true)
    watchDependency('otlp_collector')
    expect(await stateOf('otlp_collector')).toEqual(UP)
  })

  it.skipIf(!serverUrl)(
    'database: /api/ready says down when PostgreSQL is unreachable, up when it is back',
    async () => {
      const { GET } = await import('@/app/api/ready/route')
      expect((await GET()).status).toBe(200)
      expect(await stateOf('database')).toEqual(UP)
      await databaseSwitch!.off()
      expect((await GET()).status).toBe(503)
      expect(await stateOf('database')).toEqual(DOWN)
      await databaseSwitch!.on()
      await vi.waitFor(async () => expect((await GET()).status).toBe(200), { timeout: 5000 })
      expect(await stateOf('database')).toEqual(UP)
    },
  )

  it('sentry: the tunnel says down when Sentry is unreachable, up when it answers again', async () => {
    const { POST } = await import('@/app/monitoring/route')
    const dsn = `http://publickey@127.0.0.1:${sentrySwitch.port}/1`
    const envelope = () =>
      new Request('http://app.test/monitoring', {
        method: 'POST',
        body: `${JSON.stringify({ dsn })}\n{"type":"event"}\n{"message":"through the tunnel"}\n`,
        headers: { 'Content-Type': 'application/x-sentry-envelope' },
      })
    expect((await POST(envelope())).status).toBe(200)
    expect(await stateOf('sentry')).toEqual(UP)
    await sentrySwitch.off()
    expect((await POST(envelope())).status).toBe(502)
    expect(await stateOf('sentry')).toEqual(DOWN)
    await sentrySwitch.on()
    expect((await POST(envelope())).status).toBe(200)
    expect(await stateOf('sentry')).toEqual(UP)
  })

  it('posthog: a send PostHog does not take says down, the next one it takes says up', async () => {
    const recorder = await startPostHogRecorder()
    const posthogSwitch = await startPortSwitch({ host: '127.0.0.1', port: Number(new URL(recorder.url).port) })
    const client = createPostHogClient('phc_test', `http://127.0.0.1:${posthogSwitch.port}`)
    const send = () =>
      new PostHogAnalytics(client).capture({
        event: 'signed_out',
        properties: { feature: 'auth', surface: 'app_shell' },
        distinctId: 'u-state',
      })
    try {
      await send()
      expect(await stateOf('posthog')).toEqual(UP)
      await posthogSwitch.off()
      await expect(send()).rejects.toBeDefined()
      expect(await stateOf('posthog')).toEqual(DOWN)
      await posthogSwitch.on()
      await send()
      expect(await stateOf('posthog')).toEqual(UP)
    } finally {
      await client.shutdown().catch(() => {})
      await posthogSwitch.close()
      await recorder.close()
    }
  })

  it('posthog: /ingest says down when PostHog is unreachable, up when it answers again', async () => {
    const recorder = await startPostHogRecorder()
    const posthogSwitch = await startPortSwitch({ host: '127.0.0.1', port: Number(new URL(recorder.url).port) })
    const host = `http://127.0.0.1:${posthogSwitch.port}`
    const forward = () =>
      forwardToPostHog(new Request('http://app.test/ingest/e/', { method: 'POST', body: '{"event":"$pageview"}' }), {
        key: 'phc_test',
        hosts: { api: host, assets: host },
      })
    try {
      recordDependencyState('posthog', 'down') // the test above left it up: each step must change it
      expect((await forward()).status).toBe(200)
      expect(await stateOf('posthog')).toEqual(UP)
      await posthogSwitch.off()
      expect((await forward()).status).toBe(502)
      expect(await stateOf('posthog')).toEqual(DOWN)
      await posthogSwitch.on()
      expect((await forward()).status).toBe(200)
      expect(await stateOf('posthog')).toEqual(UP)
    } finally {
      await posthogSwitch.close()
      await recorder.close()
    }
  })

  it('otlp_collector: the exporter’s verdict on each batch sets the state', async () => {
    const receiver = await startOtlpReceiver()
    const collectorSwitch = await startPortSwitch({ host: '127.0.0.1', port: Number(new URL(receiver.endpoint).port) })
    const exporter = new ScrubbingExporter(
      new OTLPTraceExporter({ url: `http://127.0.0.1:${collectorSwitch.port}/v1/traces`, timeoutMillis: 2000 }),
      (ok) => recordSpanExport('collector', ok),
    )
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
    const exportOneSpan = async () => {
      provider.getTracer('test').startSpan('work').end()
      await provider.forceFlush().catch(() => {}) // a failed export is what some of these test
    }
    try {
      await exportOneSpan()
      await vi.waitFor(async () => expect(await stateOf('otlp_collector')).toEqual(UP))
      await collectorSwitch.off()
      await exportOneSpan()
      await vi.waitFor(async () => expect(await stateOf('otlp_collector')).toEqual(DOWN), { timeout: 10_000 })
      await collectorSwitch.on()
      await exportOneSpan()
      await vi.waitFor(async () => expect(await stateOf('otlp_collector')).toEqual(UP), { timeout: 10_000 })
    } finally {
      await provider.shutdown()
      await collectorSwitch.close()
      await receiver.close()
    }
  })
})
