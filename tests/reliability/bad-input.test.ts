// Scenario 5, bad input everywhere: fast-check generates what a careless client or an attacker
// sends (every form field, JSON body, header and query parameter the app reads, methods and
// paths on the forwarders, Content-Length values that lie) against `next start` on real
// PostgreSQL. For every input: never a 5xx, never a stack, a server path or a secret in the
// answer; a 4xx or a redirect where the input is bad, with field errors where a person can fix
// them; and rows only for inputs that were valid (counted before and after each target).
// Server actions are posted as React posts them (support/bad-input.ts postAction).
// BAD_INPUT_SEED=<n> replays a run; the seed is in the figures' notes.
import fc from 'fast-check'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type AppServer } from '../e2e/support/server'
import { createThrowawayPostgres, type ThrowawayPostgres } from '../support/postgres.mjs'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'
import { startSentryRecorder, type SentryRecorder } from '../support/sentry-recorder'
import { actionIds, verdictOf, rowChanges, settledRows, Target } from './support/bad-input'
import { recordFigures, SHORT } from './support/figures'
import { Context, targets } from './support/bad-input-targets'

const serverUrl = process.env.TEST_DATABASE_URL?.trim()
const SEED = Number(process.env.BAD_INPUT_SEED) || Date.now() % 2 ** 31

describe.skipIf(!serverUrl)('5 Bad input everywhere', () => {
  let database: ThrowawayPostgres
  let owner: postgres.Sql
  let app: AppServer
  let posthog: PostHogRecorder
  let sentry: SentryRecorder
  let context: Context
  const done: Target[] = []
  let rowsLost = 0

  beforeAll(async () => {
    database = await createThrowawayPostgres(serverUrl!, { appRole: true })
    owner = postgres(database.url, { max: 1, onnotice: () => {} })
    posthog = await startPostHogRecorder()
    sentry = await startSentryRecorder()
    // Every secret the server holds, each a value that cannot appear in an answer by chance.
    // The Sentry DSN's public key is not among them: the browser SDK gets it in every page.
    const unique = (name: string) => `${name}-${SEED}-${Math.random().toString(36).slice(2)}`
    const secrets = {
      AUTH_SECRET: unique('auth-secret'),
      METRICS_TOKEN: unique('metrics-token'),
      AUTH_GITHUB_SECRET: unique('github-secret'),
      SENTRY_AUTH_TOKEN: unique('sentry-token'),
    }
    app = await startServer({
      waitForReady: true,
      env: {
        DATABASE_URL: database.appUrl,
        ...secrets,
        AUTH_GITHUB_ID: 'bad-input-github-id',
        NEXT_PUBLIC_POSTHOG_KEY: 'phc_bad_input',
        POSTHOG_HOST: posthog.url,
        POSTHOG_ASSETS_HOST: posthog.url,
        NEXT_PUBLIC_SENTRY_DSN: sentry.dsn,
      },
    })
    context = await Context.signedIn(app, actionIds(), [
      ...Object.values(secrets),
      decodeURIComponent(new URL(database.appUrl!).password),
    ])
    context.metricsToken = secrets.METRICS_TOKEN
    context.sentryDsn = sentry.dsn
  })

  afterAll(async () => {
    await app?.stop()
    await owner?.end()
    await database?.drop()
    await posthog?.close()
    await sentry?.close()
    if (done.length === 0) return
    const inputs = done.reduce((sum, target) => sum + target.inputs, 0)
    recordFigures({
      scenario: '5 Bad input everywhere',
      load: `${inputs} inputs (generated, plus the fixed regressions), one at a time`,
      faults: 'garbage fields, JSON, headers, cookies, queries, paths, methods, lying lengths',
      ok: done.reduce((sum, target) => sum + target.ok, 0),
      failedCleanly: done.reduce((sum, target) => sum + target.failedCleanly, 0),
      failedBadly: done.reduce((sum, target) => sum + target.failedBadly, 0),
      rowsLost,
      notes: `seed ${SEED}; inputs per target: ${done.map((target) => `${target.name} ${target.inputs}`).join(', ')}`,
    })
  })

  for (const spec of targets) {
    it(`${spec.name}: every answer is the one the input deserved`, async () => {
      const target = new Target(spec.name)
      done.push(target)
      const inputs = fc.sample(spec.arbitrary, { numRuns: SHORT ? spec.runs[1] : spec.runs[0], seed: SEED })
      // Settled: the rows an earlier request writes after its response belong to it.
      const before = await settledRows(owner)
      let expected: Record<string, number> = {}
      for (const input of [...(spec.examples ?? []), ...inputs]) {
        const outcome = await spec.send(context, input)
        target.record(input, verdictOf(outcome, context.secrets))
        for (const [key, n] of Object.entries(outcome.adds ?? {})) expected[key] = (expected[key] ?? 0) + n
      }
      const changes = rowChanges(before, await settledRows(owner))
      expected = Object.fromEntries(Object.entries(expected).filter(([, n]) => n !== 0))
      const allowed = spec.mayAlsoWrite ?? []
      const unexpected = Object.fromEntries(Object.entries(changes).filter(([key]) => !allowed.includes(key)))
      for (const [key, n] of Object.entries(expected))
        if ((unexpected[key] ?? 0) < n) rowsLost += n - (unexpected[key] ?? 0)
      expect(target.failures, `seed ${SEED}`).toEqual([])
      expect(unexpected, 'rows written: only the valid inputs may add any').toEqual(expected)
    })
  }
})
