// isEnabled() on the server. Evaluation is bounded (300 ms); any error, timeout or unknown
// answer falls back to the flag's declared default with one warn line, so a flags outage never
// breaks or slows a page beyond the bound.
import 'server-only'
import { cache } from 'react'
import { env } from '../env'
import { logger } from '../logs'
import { metrics } from '../metrics'
import { perProcess } from '../singleton'
import { FlagsTimeoutError, MemoryFlags, type FlagContext, type FlagsAdapter } from './adapter'
import { PostHogFlags } from './posthog-flags'
import { FLAG_NAMES, FLAGS, parseFlagOverrides, type FlagName, type FlagValues } from './registry'

export { FLAGS, defaultFlagValues, type FlagName, type FlagValues } from './registry'

export const FLAG_TIMEOUT_MS = 300

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

type Outcome = 'backend' | 'default' | 'timeout' | 'error'

async function evaluateFlag(flag: FlagName, context: FlagContext): Promise<boolean> {
  const fallback = FLAGS[flag].default
  let timer: ReturnType<typeof setTimeout> | undefined
  let outcome: Outcome
  let value: boolean = fallback
  let failure: unknown
  try {
    const answer = await Promise.race([
      (await adapter()).evaluate(flag, context),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), FLAG_TIMEOUT_MS))),
    ])
    if (answer === 'timeout') outcome = 'timeout'
    else if (answer === undefined) outcome = 'default'
    else {
      outcome = 'backend'
      value = answer
    }
  } catch (error) {
    // The backend's own timeout (shorter or equal to ours) is still a timeout.
    outcome = error instanceof FlagsTimeoutError ? 'timeout' : 'error'
    failure = error
  } finally {
    clearTimeout(timer)
  }
  if (outcome === 'timeout' || outcome === 'error') {
    logger.warn(
      { flag, result: outcome, timeout_ms: FLAG_TIMEOUT_MS, ...(failure === undefined ? {} : { err: failure }) },
      'feature_flag_fallback',
    )
  }
  metrics().featureFlagEvaluations.inc({ flag, result: outcome })
  return value
}

/** Whether `flag` is on for this user/organization. Never throws. */
export function isEnabled(flag: FlagName, context: FlagContext): Promise<boolean> {
  return evaluateFlag(flag, context)
}

/** All flags for one render, evaluated once per request (React cache) and in parallel. */
export const evaluateAllFlags = cache(async (distinctId: string, orgId?: string): Promise<FlagValues> => {
  const values = await Promise.all(FLAG_NAMES.map((flag) => evaluateFlag(flag, { distinctId, orgId })))
  return Object.fromEntries(FLAG_NAMES.map((flag, i) => [flag, values[i]])) as FlagValues
})
