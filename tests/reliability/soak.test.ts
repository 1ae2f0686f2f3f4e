// Scenario 6, soak. One production server (`next start`, as `npm start` starts it) on PostgreSQL
// with every vendor SDK configured against a local stand-in (PostHog, Sentry, an OTLP trace
// receiver), so their queues fill and drain as in production, and METRICS_TOKEN set so the test
// can scrape /api/metrics. A few workers, each a person signed up through the sign-up form, send
// a fixed mix for minutes (support/soak-load.ts): pages, creates through the API and through the
// customer form's action, sign-outs and sign-ins through the actions, and requests that deserve
// a 4xx. Meanwhile the server process is sampled: its resident set from /proc, the event-loop
// delay and the heap from prom-client's default metrics, and every few samples the heap right
// after a full collection, asked for through the inspector (`--inspect` on loopback).
//
// Asserts: the process sampled is the one serving; every request was answered as it deserved
// within the request timeout (none failed, cleanly or badly: there is no fault here); after the
// warm-up the live heap grows by less than HEAP_GROWTH_BOUND (a linear fit over every reading of
// the measured window, not its two ends); the audit backlog drains; every committed customer has
// its audit row and its `customer_created` event, or a line that logs it for replay.
//
// PostgreSQL only (TEST_DATABASE_URL): the soak counts rows in the server's database.
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from '../e2e/support/logs'
import { startServer, type AppServer } from '../e2e/support/server'
import { createPostgresDatabase, rowsOf, type TestDatabase } from '../support/databases'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import { startSentryRecorder, type SentryRecorder } from '../support/sentry-recorder'
import { signUp, startScriptVariables } from './support/app'
import { actionIds } from './support/bad-input'
import { FIGURES_DIR, recordFigures, SHORT } from './support/figures'
import {
  connectInspector,
  heapAfterFullGc,
  inspectorUrl,
  keptAllocations,
  startKeptAllocations,
  topKeptStacks,
  type Inspector,
} from './support/inspector'
import { round, type Exchange, type LoadContext, type Worker } from './support/soak-load'
import { childrenOf, MiB, sample, slopePerMinute, writeSamples, type Sample } from './support/soak-samples'
import { median } from './support/stats'

const WORKERS = 4
const WARM_UP_MS = SHORT ? 20_000 : 60_000
const MEASURED_MS = SHORT ? 40_000 : 180_000
const SAMPLE_MS = SHORT ? 1_000 : 2_000
/** Every this many samples, a full collection and the live heap. */
const LIVE_HEAP_EVERY = SHORT ? 4 : 5
/** Latency is compared between the first and the last slice of the measured window. */
const SLICE_MS = Math.min(60_000, MEASURED_MS / 3)
const REQUEST_TIMEOUT_MS = 10_000
const HEAP_GROWTH_BOUND_MIB_PER_MIN = SHORT ? 8 : 4
const WRONG_PASSWORDS = 8
const METRICS_TOKEN = 'soak-scenario-metrics-token'
const DIST_DIR = process.env.RELIABILITY_DIST_DIR?.trim() || '.next'
const PASSWORD = 'a long enough password'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number) => MiB(bytes).toFixed(0)
const ms = (seconds: number) => (seconds * 1000).toFixed(1)

describe('scenario 6 Soak', () => {
  const serverUrl = process.env.TEST_DATABASE_URL?.trim()
  let app: AppServer
  let database: TestDatabase
  let posthog: PostHogRecorder
  let sentry: SentryRecorder
  let otlp: OtlpReceiver
  let inspector: Inspector | undefined

  beforeAll(async () => {
    if (!serverUrl) return
    if (!existsSync(path.join(DIST_DIR, 'BUILD_ID'))) throw new Error(`no production build in ${DIST_DIR}: next build`)
    database = await createPostgresDatabase(serverUrl)
    posthog = await startPostHogRecorder()
    sentry = await startSentryRecorder()
    otlp = await startOtlpReceiver()
    app = await startServer({
      waitForReady: true,
      distDir: DIST_DIR === '.next' ? undefined : DIST_DIR,
      env: {
        ...startScriptVariables(),
        DATABASE_URL: database.url,
        METRICS_TOKEN,
        NEXT_PUBLIC_POSTHOG_KEY: 'phc_soak_scenario',
        POSTHOG_HOST: posthog.url,
        NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        // On loopback, a free port: only this test connects, to ask for full collections.
        NODE_OPTIONS: [process.env.NODE_OPTIONS, '--inspect=127.0.0.1:0'].filter(Boolean).join(' '),
      },
    })
    inspector = await connectInspector(inspectorUrl(app.output))
  })

  afterAll(async () => {
    inspector?.close()
    await app?.stop()
    await Promise.all([posthog?.close(), sentry?.close(), otlp?.close()])
    await database?.close()
  })

  it.skipIf(!serverUrl)(
    'answers every request as deserved for minutes, with a live heap that stops growing after the warm-up and no row lost',
    async () => {
      const pid = app.process.pid!
      // `next start` serves in the process it starts as (no worker child): that is the one to read.
      expect(childrenOf(pid)).toEqual([])
      const workers: Worker[] = []
      for (let index = 0; index < WORKERS; index++) {
        const email = `soak-${index}@example.com`
        workers.push({ index, email, password: PASSWORD, cookie: await signUp(app, email), customerIds: [], sent: 0 })
      }

      const context: LoadContext = {
        url: app.url,
        actions: actionIds(DIST_DIR),
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        startedAt: performance.now(),
        wrongPasswordsLeft: WRONG_PASSWORDS,
        exchanges: [],
      }
      const endAt = WARM_UP_MS + MEASURED_MS
      const elapsed = () => performance.now() - context.startedAt
      const samples: Sample[] = []
      let spans = 0
      let sentryEnvelopes = 0
      let samplerFailed: unknown
      const sampler = (async () => {
        let forcedGc = false
        let profiling = false
        for (let tick = 0; tick * SAMPLE_MS <= endAt; tick++) {
          await sleep(Math.max(0, tick * SAMPLE_MS - elapsed()))
          if (!profiling && tick * SAMPLE_MS >= WARM_UP_MS) {
            profiling = true
            await startKeptAllocations(inspector!)
          }
          const taken = await sample(app.url, METRICS_TOKEN, pid, elapsed())
          taken.afterForcedGc = forcedGc
          // After the scrape, so the collection's pause falls in the next interval, which is left out.
          forcedGc = tick % LIVE_HEAP_EVERY === 0
          if (forcedGc) {
            const { usedBytes, gcMs } = await heapAfterFullGc(inspector!)
            taken.liveHeapBytes = usedBytes
            taken.gcMs = gcMs
          }
          samples.push(taken)
          // The stand-ins keep what they receive; counted and let go, so the test's own memory stays flat.
          spans += otlp.spans.length
          otlp.spans.length = 0
          otlp.bodies.length = 0
          sentryEnvelopes += sentry.envelopes.length
          sentry.envelopes.length = 0
          posthog.bodies.length = 0
        }
      })().catch((error: unknown) => (samplerFailed = error))
      await Promise.all(
        workers.map(async (worker) => {
          for (let n = 0; elapsed() < endAt && !samplerFailed; n++) await round(context, worker, n)
        }),
      )
      await sampler
      writeSamples(path.join(FIGURES_DIR, '6-soak-samples.csv'), samples)
      if (samplerFailed) throw samplerFailed
      // What the measured window allocated and the server still holds: where to look if the heap grew.
      const kept = await keptAllocations(inspector!)
      writeFileSync(path.join(FIGURES_DIR, '6-soak.heapprofile'), JSON.stringify(kept))
      const keptStacks = topKeptStacks(kept)
      const deadline = Date.now() + 60_000
      let pending = samples.at(-1)!.auditPending
      while (pending > 0 && Date.now() < deadline) {
        await sleep(200)
        pending = (await sample(app.url, METRICS_TOKEN, pid, elapsed())).auditPending
      }

      // What committed (the customer's name is the request ID that created it), and its traces.
      const committed = rowsOf<{ id: string; name: string }>(
        await database.owner.execute(sql`select id, name from customers where name like 'soak-%'`),
      )
      const audited = new Set(
        rowsOf<{ subject_id: string }>(
          await database.owner.execute(sql`select subject_id from audit_log where action = 'customer.created'`),
        ).map((row) => row.subject_id),
      )
      // Analytics are sent from after() too; give the last sends a moment to arrive.
      const tracked = () =>
        new Set(posthog.events.filter((e) => e.event === 'customer_created').map((e) => e.properties.request_id))
      for (let i = 0; i < 50 && committed.some((c) => !tracked().has(c.name)); i++) await sleep(100)
      const lines = jsonLines(app)
      const auditLogged = new Set(
        lines.filter((l) => /^audit_log_write_(failed|abandoned)$/.test(String(l.msg))).map((l) => l.subject_id),
      )
      const analyticsLogged = new Set(
        lines.filter((l) => /^analytics_capture_(failed|abandoned)$/.test(String(l.msg))).map((l) => l.request_id),
      )
      const sent = tracked()
      const auditLost = committed.filter((c) => !audited.has(c.id) && !auditLogged.has(c.id))
      const analyticsLost = committed.filter((c) => !sent.has(c.name) && !analyticsLogged.has(c.name))

      // The measured window: from the first sample after the warm-up to the last.
      const window = samples.filter((s) => s.at >= WARM_UP_MS)
      const live = window.filter((s) => s.liveHeapBytes !== undefined)
      const [first, last] = [window[0]!, window.at(-1)!]
      const [firstLive, lastLive] = [live[0]!, live.at(-1)!]
      const heapSlope = slopePerMinute(live.map((s) => ({ at: s.at, y: MiB(s.liveHeapBytes!) })))
      const rssSlope = slopePerMinute(window.map((s) => ({ at: s.at, y: MiB(s.rssBytes) })))
      // Each scrape's delay figures cover the interval since the previous one: the first
      // in-window sample's is still warm-up, and those with a forced collection are not the app's.
      const intervals = window.slice(1).filter((s) => !s.afterForcedGc)
      const eldP50 = median(intervals.map((s) => s.eldP50Seconds))
      const eldP99 = median(intervals.map((s) => s.eldP99Seconds))
      const eldP99Worst = Math.max(...intervals.map((s) => s.eldP99Seconds))
      const gcMs = median(live.map((s) => s.gcMs!))
      const measured = context.exchanges.filter((e) => e.at >= first.at && e.at < last.at)
      const firstSlice = measured.filter((e) => e.at < first.at + SLICE_MS).map((e) => e.ms)
      const lastSlice = measured.filter((e) => e.at >= last.at - SLICE_MS).map((e) => e.ms)
      const latencyRatio = Number((median(lastSlice) / median(firstSlice)).toFixed(2))
      const count = (outcome: Exchange['outcome']) => context.exchanges.filter((e) => e.outcome === outcome).length
      const notOk = context.exchanges.filter((e) => e.outcome !== 'ok')
      const errorLines = lines.filter((l) => l.level === 'error' || l.level === 'fatal').length
      const rate = measured.length / ((last.at - first.at) / 1000)
      const slice = SLICE_MS === 60_000 ? 'minute' : `${(SLICE_MS / 1000).toFixed(0)} s`

      recordFigures({
        scenario: '6 Soak',
        load:
          `${context.exchanges.length} requests, ${WORKERS} workers, ${(endAt / 1000).toFixed(0)} s: pages, creates ` +
          `(API and form action), sign-out and sign-in, requests deserving a 4xx`,
        faults: 'none',
        ok: count('ok'),
        failedCleanly: count('clean'),
        failedBadly: count('bad'),
        rowsLost: auditLost.length + analyticsLost.length,
        latencyRatio,
        notes:
          `warm-up ${WARM_UP_MS / 1000} s, then ${((last.at - first.at) / 1000).toFixed(0)} s measured at ` +
          `${rate.toFixed(0)} req/s; live heap (after a full GC, ${live.length} readings) ${mib(firstLive.liveHeapBytes!)} → ` +
          `${mib(lastLive.liveHeapBytes!)} MiB, fit ${heapSlope.toFixed(2)} MiB/min (bound ${HEAP_GROWTH_BOUND_MIB_PER_MIN}); ` +
          `RSS ${mib(first.rssBytes)} → ${mib(last.rssBytes)} MiB, fit ${rssSlope.toFixed(1)} MiB/min; event-loop delay ` +
          `p50 ${ms(eldP50)} ms, p99 ${ms(eldP99)} ms (medians of ${SAMPLE_MS / 1000} s intervals, worst p99 ` +
          `${ms(eldP99Worst)} ms; a forced GC takes ${gcMs.toFixed(0)} ms, its intervals left out); latency median ` +
          `first ${slice} ${median(firstSlice).toFixed(0)} ms, last ${median(lastSlice).toFixed(0)} ms; ` +
          `${committed.length} customers committed; ${spans} spans and ${sentryEnvelopes} Sentry envelopes exported; ` +
          `${errorLines} error lines`,
      })

      // The process read is the one prom-client reports from (/proc/self of the server).
      expect(Math.abs(first.rssBytes - first.rssReported) / first.rssReported).toBeLessThan(0.1)
      expect(live.length).toBeGreaterThanOrEqual(MEASURED_MS / SAMPLE_MS / LIVE_HEAP_EVERY - 1)
      expect(notOk.map((e) => `${e.requestId} ${e.op}: ${e.detail}`)).toEqual([])
      expect(heapSlope, `kept since the warm-up:\n${keptStacks.join('\n')}`).toBeLessThan(HEAP_GROWTH_BOUND_MIB_PER_MIN)
      expect(pending).toBe(0)
      expect(auditLost.map((c) => c.name)).toEqual([])
      expect(analyticsLost.map((c) => c.name)).toEqual([])
      expect(committed.length).toBeGreaterThan(0)
    },
    WARM_UP_MS + MEASURED_MS + 120_000,
  )
})
