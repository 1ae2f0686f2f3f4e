// Reads the ops kit (ops/): the Prometheus rules, their promtool tests and the Grafana
// dashboard, for the unit tests that check them and the e2e spec that runs their queries.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

export const OPS = 'ops'
export const RULES_DIR = path.join(OPS, 'prometheus', 'rules')
export const RULE_TESTS_DIR = path.join(OPS, 'prometheus', 'tests')
export const DASHBOARD = path.join(OPS, 'grafana', 'dashboards', 'signalbox.json')

export type Rule = {
  alert?: string
  record?: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

export const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'))
export const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yml'))
    .map((name) => path.join(dir, name))

export function rules(): Rule[] {
  return yamlFiles(RULES_DIR).flatMap((file) =>
    (readYaml(file) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules),
  )
}
export const alertRules = () => rules().filter((rule) => rule.alert)
export const recordingRules = () => rules().filter((rule) => rule.record)

export type DashboardPanel = { title: string; type: string; targets?: { expr: string; legendFormat?: string }[] }
export function dashboardPanels(): DashboardPanel[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: DashboardPanel[] }
  return dashboard.panels.filter((panel) => panel.type !== 'row')
}

/**
 * The vector selectors of a PromQL expression (`metric{label="x"}`), without their range: the
 * series an expression reads. A name followed by `(` (or `by (`) is a function or an aggregation; names
 * inside `by (…)`, `on (…)` and the like are labels. Enough for the expressions in ops/, which
 * a test keeps true by running every selector against a real Prometheus.
 */
export function selectorsOf(expr: string): string[] {
  const KEYWORDS = new Set([
    'by',
    'without',
    'on',
    'ignoring',
    'group_left',
    'group_right',
    'and',
    'or',
    'unless',
    'bool',
    'offset',
  ])
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"/g, (quoted) => quoted.replace(/[^"]/g, ' ')) // same offsets, no names
  const selectors: string[] = []
  const name = /[a-zA-Z_:][a-zA-Z0-9_:]*/g
  for (let match = name.exec(stripped); match; match = name.exec(stripped)) {
    const before = stripped.slice(0, match.index)
    const after = stripped.slice(match.index + match[0].length)
    // A function or an aggregation: `rate(`, `sum(`, `sum by (…) (`.
    if (KEYWORDS.has(match[0]) || /^\s*(\(|(by|without)\s*\()/.test(after)) continue
    if (/[\d.]$/.test(before) && /^[smhdwy]\b/.test(match[0])) continue // the "m" of 5m, the "e" of 1e3
    // Inside a label list (by (…)), a matcher ({…}) or a range ([…]): not a selector.
    const open = (o: string, c: string) => before.split(o).length - before.split(c).length
    if (open('{', '}') > 0 || open('[', ']') > 0) continue
    if (/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*$/.test(before)) continue
    const matchers = /^\{[^}]*\}/.exec(after)?.[0] ?? ''
    const original = expr.slice(match.index, match.index + match[0].length + matchers.length)
    selectors.push(original)
  }
  return [...new Set(selectors)]
}
