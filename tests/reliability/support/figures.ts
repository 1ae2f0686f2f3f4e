// Each scenario reports one row of docs/reliability.md's figures table; report.mjs writes the
// table from the rows of the last run. Counts, not impressions: every row says how many requests
// were made and how each ended, and how many rows were lost.
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export const FIGURES_DIR = path.resolve(__dirname, '../../../.reliability')

export type ScenarioFigures = {
  /** Sorts the table; e.g. `1 SIGTERM mid-load`. */
  scenario: string
  load: string
  faults: string
  /** Answered as asked (2xx/3xx, or the 4xx the input deserved). */
  ok: number
  /** Refused cleanly: a 503/4xx with the request ID as reference, no stack, nothing half-written. */
  failedCleanly: number
  /** Anything else: a 500, a stack or secret in a body, a hang, a reset connection. */
  failedBadly: number
  /** Rows (audit, analytics) neither written nor logged for replay. */
  rowsLost: number
  /** Latency under fault over the healthy run's, same run; undefined when not measured. */
  latencyRatio?: number
  notes?: string
}

/** Whether to run the short form (CI): fewer requests and shorter phases, same checks. */
export const SHORT = process.env.RELIABILITY_SHORT === '1'

export function recordFigures(figures: ScenarioFigures): void {
  mkdirSync(FIGURES_DIR, { recursive: true })
  const file = figures.scenario.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  writeFileSync(
    path.join(FIGURES_DIR, `${file}.json`),
    JSON.stringify({ ...figures, short: SHORT, at: new Date().toISOString() }, null, 2),
  )
}
