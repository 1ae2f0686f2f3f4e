// What the server depends on, as a Prometheus state set: dependency_state{dependency, state} is
// 1 for the state the dependency was last seen in and 0 for the others, so an alert reads
// `dependency_state{state="down"} == 1` and a dashboard can show how long each state lasted.
// The rooms that talk to a dependency report what they saw (docs/observability.md says where);
// metrics only keeps the last word. Only dependencies that are configured get series: start-up
// watches them, and an unconfigured one is never talked to, so never reported.
import { perProcess } from '../singleton'
import { metrics } from './registry'

export const DEPENDENCY_STATES = ['unknown', 'up', 'down'] as const
export type DependencyState = (typeof DEPENDENCY_STATES)[number]
export type Dependency = 'database' | 'posthog' | 'sentry' | 'otlp_collector'

const lastSeen = () => perProcess('dependencyStates', () => new Map<Dependency, DependencyState>())

function show(dependency: Dependency, current: DependencyState): void {
  const gauge = metrics().dependencyState
  for (const state of DEPENDENCY_STATES) gauge.set({ dependency, state }, state === current ? 1 : 0)
}

/** Gives a configured `dependency` its series, as `unknown` until something is seen of it. */
export function watchDependency(dependency: Dependency): void {
  if (lastSeen().has(dependency)) return // already seen: keep what was seen
  lastSeen().set(dependency, 'unknown')
  show(dependency, 'unknown')
}

/** What a room just saw of `dependency`: it answered (`up`) or it did not (`down`). */
export function recordDependencyState(dependency: Dependency, state: 'up' | 'down'): void {
  // Most reports repeat the last one (every successful send says up): nothing to change then.
  if (lastSeen().get(dependency) === state) return
  lastSeen().set(dependency, state)
  show(dependency, state)
}
