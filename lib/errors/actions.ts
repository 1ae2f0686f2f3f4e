// What every server action is wrapped in: error tracking (Sentry, when configured), when
// OpenTelemetry owns tracing a span named after the action (when Sentry traces on its own, its
// wrapper already makes that span, so this adds none), and the time it took, noted for its
// feature (feature_work_seconds, via the request's context). API route handlers of a feature get
// the last part from withRouteInstrumentation.
import 'server-only'
import type { Feature } from '../analytics'
import { noteFeatureWork } from '../request'
import { withActionErrorTracking } from './server'
import { inSpan, openTelemetryOwnsTracing } from '../traces'

/** `work`, with its duration noted for `feature` when it ends, thrown (a redirect too) or not. */
function measuredFor<Args extends unknown[], Result>(
  feature: Feature,
  kind: 'action' | 'api',
  work: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args: Args) => {
    const started = performance.now()
    try {
      return await work(...args)
    } finally {
      noteFeatureWork(feature, kind, performance.now() - started)
    }
  }
}

/**
 * Wraps a server action. `feature` is the product feature it serves (the event catalog's), or
 * null for what is no feature (the operator's debug action): its time is then not counted.
 */
export function withActionInstrumentation<Args extends unknown[], Result>(
  { name, feature }: { name: string; feature: Feature | null },
  action: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  const traced = (...args: Args) =>
    openTelemetryOwnsTracing()
      ? inSpan(`server_action ${name}`, { attributes: { 'server_action.name': name } }, () => action(...args))
      : action(...args)
  return withActionErrorTracking(name, feature ? measuredFor(feature, 'action', traced) : traced)
}

/** Wraps an API route handler of `feature`, so its time counts for that feature (kind `api`). */
export function withRouteInstrumentation<Args extends unknown[]>(
  feature: Feature,
  handler: (...args: Args) => Promise<Response>,
): (...args: Args) => Promise<Response> {
  return measuredFor(feature, 'api', handler)
}
