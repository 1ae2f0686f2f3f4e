// isEnabled() on the server. All flags are evaluated together, once per request (React cache()),
// with one request to the backend: the (app) layout's evaluateAllFlags() and a page's
// isEnabled() share it. Evaluation is bounded (300 ms); any error, timeout or unknown answer
// falls back to the flag's declared default. After a failure the backend is not asked again for
// a pause (10 s) but by one request at a time: an outage costs a page the bound once per pause,
// not on every request, and writes one warn line per pause, not one per page.
import 'server-only'
import { cache } from 'react'
import { env } from '../env'
import { logger } from '../logs'
import { countedFromZero, metrics } from '../metrics'
import { INSPECTOR_ENABLED, recordForInspector } from '../inspect'
import { currentRequestContext, noteFlagEvaluated } from '../request'
import { perProcess } from '../singleton'
import { FlagsTimeoutError, MemoryFlags, type FlagContext, type FlagsAdapter } from './adapter'
import { PostHogFlags } from './posthog-flags'
import { FLAG_NAMES, FLAGS, parseFlagOverrides, type FlagName, type FlagValues } from './registry'

export { FLAGS, defaultFlagValues, type FlagName, type FlagValues } from './registry'

export const FLAG_TIMEOUT_MS = 300
/** After the backend failed, how long evaluations use the defaults without asking it. */
export const FLAG_BACKEND_PAUSE_MS = 10_000

async function createAdapter(): Promise<FlagsAdapter> {
  const { FEATURE_FLAGS, NEXT_PUBLIC_POSTHOG_KEY: key } = env()
  if (FEATURE_FLAGS !== undefined || !key) {
    const { values, problems } = parseFlagOverrides(FEATURE_FLAGS)
    for (const problem of problems) logger.warn({ problem }, 'feature_flags_ignored')
    return new MemoryFlags(values)
  }
  return new PostHogFlags()
}

function adapter(): Promise<FlagsAdapter> {
  return perProcess('flags', createAdapter)
}

/**
 * How each flag's value was decided: feature_flag_evaluations_total's `result`. `paused`: the
 * backend failed within FLAG_BACKEND_PAUSE_MS, so it was not asked and the default was used.
 */
const OUTCOMES = ['backend', 'default', 'timeout', 'error', 'paused'] as const
type Outcome = (typeof OUTCOMES)[number]

/** Every flag × result series at 0, so a scrape shows them before the first evaluation (start-up calls this). */
export function countFlagEvaluationsFromZero(): void {
  countedFromZero(
    metrics().featureFlagEvaluations,
    FLAG_NAMES.flatMap((flag) => OUTCOMES.map((result) => ({ flag, result }))),
  )
}

type Answers = { answers: Partial<FlagValues> } | { failure: 'timeout' | 'error' | 'paused'; error?: unknown }

/**
 * Whether the backend is paused after a failure (until `pausedUntil`, epoch ms; 0: not paused),
 * and whether a request is asking it once the pause is over. One per process: every request's
 * render shares the backend's health.
 */
const backendHealth = () => perProcess('flagsBackendHealth', () => ({ pausedUntil: 0, probing: false }))

/** The backend's answers for every flag, or why there are none, within FLAG_TIMEOUT_MS. */
async function askBackend(context: FlagContext): Promise<Answers> {
  const health = backendHealth()
  // Paused, or over and one request already asking whether the backend is back: the defaults.
  if (Date.now() < health.pausedUntil || health.probing) return { failure: 'paused' }
  const probe = health.pausedUntil > 0
  if (probe) health.probing = true
  let timer: ReturnType<typeof setTimeout> | undefined
  let asked: Answers
  try {
    const answer = await Promise.race([
      (await adapter()).evaluate(FLAG_NAMES, context),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FLAG_TIMEOUT_MS))),
    ])
    asked = answer === 'timeout' ? { failure: 'timeout' } : { answers: answer }
  } catch (error) {
    // The backend's own timeout (shorter or equal to ours) is still a timeout.
    asked = { failure: error instanceof FlagsTimeoutError ? 'timeout' : 'error', error }
  } finally {
    clearTimeout(timer)
    if (probe) health.probing = false
  }
  health.pausedUntil = 'failure' in asked ? Date.now() + FLAG_BACKEND_PAUSE_MS : 0
  return asked
}

async function evaluateFlags(context: FlagContext): Promise<FlagValues> {
  const asked = await askBackend(context)
  if ('failure' in asked && asked.failure !== 'paused') {
    // One line per failed request, so one per pause while the backend stays down.
    logger.warn(
      {
        flags: FLAG_NAMES,
        result: asked.failure,
        timeout_ms: FLAG_TIMEOUT_MS,
        paused_ms: FLAG_BACKEND_PAUSE_MS,
        ...(asked.error === undefined ? {} : { err: asked.error }),
      },
      'feature_flag_fallback',
    )
  }
  const answers = 'answers' in asked ? asked.answers : {}
  const values = {} as FlagValues
  for (const flag of FLAG_NAMES) {
    const answer = answers[flag]
    const outcome: Outcome = 'failure' in asked ? asked.failure : answer === undefined ? 'default' : 'backend'
    metrics().featureFlagEvaluations.inc({ flag, result: outcome })
    values[flag] = answer ?? FLAGS[flag].default
    noteFlagEvaluated(flag, values[flag], outcome) // on the request's access line
    if (INSPECTOR_ENABLED)
      recordForInspector(currentRequestContext()?.requestId, 'flag', { flag, value: values[flag], result: outcome })
  }
  return values
}

/**
 * All flags for this user and organization, evaluated once per request (React cache(): within
 * one render, every call with the same arguments shares the first one's answer).
 */
export const evaluateAllFlags = cache((distinctId: string, orgId?: string): Promise<FlagValues> =>
  evaluateFlags({ distinctId, orgId }),
)

/** Whether `flag` is on for this user/organization: read from evaluateAllFlags(). Never throws. */
export async function isEnabled(flag: FlagName, context: FlagContext): Promise<boolean> {
  return (await evaluateAllFlags(context.distinctId, context.orgId))[flag]
}
