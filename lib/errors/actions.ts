// What every server action is wrapped in: error tracking (Sentry, when configured) and, when
// OpenTelemetry owns tracing, a span named after the action. When Sentry traces on its own,
// its wrapper already makes that span, so this adds none.
import 'server-only'
import { withActionErrorTracking } from './sentry-server'
import { inSpan, openTelemetryOwnsTracing } from '../traces'

export function withActionInstrumentation<Args extends unknown[], Result>(
  name: string,
  action: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  const traced = (...args: Args) =>
    openTelemetryOwnsTracing()
      ? inSpan(`server_action ${name}`, { attributes: { 'server_action.name': name } }, () => action(...args))
      : action(...args)
  return withActionErrorTracking(name, traced)
}
