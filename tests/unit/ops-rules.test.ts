// The Prometheus rules in ops/prometheus/, checked by Prometheus's own tool: promtool lints them
// and runs the unit tests in ops/prometheus/tests/, which make every alert fire and stay quiet.
// Without promtool these are skipped locally and fail in CI (apt-get install -y prometheus).
// That the rules read series the app really exposes is tests/e2e/ops-dashboard.spec.ts's job.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { alertRules, readYaml, RULE_TESTS_DIR, RULES_DIR, selectorsOf, yamlFiles } from '../support/ops-kit'

const hasPromtool = spawnSync('which', ['promtool']).status === 0

function promtool(...args: string[]) {
  const result = spawnSync('promtool', args, { encoding: 'utf8' })
  if (result.error) throw new Error(`promtool not found (apt-get install -y prometheus): ${result.error.message}`)
  return { status: result.status, output: result.stdout + result.stderr }
}

describe.skipIf(!hasPromtool && !process.env.CI)('promtool', () => {
  it('accepts every rule file', () => {
    const { status, output } = promtool('check', 'rules', ...yamlFiles(RULES_DIR))
    expect(output).not.toContain('FAILED')
    expect(status, output).toBe(0)
  })

  it("passes every rule unit test (each alert firing and quiet, the recording rules' values)", () => {
    const files = yamlFiles(RULE_TESTS_DIR)
    expect(files.length).toBeGreaterThan(0)
    const { status, output } = promtool('test', 'rules', ...files)
    expect(status, output).toBe(0)
    expect(output.match(/SUCCESS/g)?.length, output).toBe(files.length)
  })

  it('accepts the compose stack’s prometheus.yml and the rules it loads', () => {
    const { status, output } = promtool('check', 'config', path.join('ops', 'prometheus', 'prometheus.yml'))
    expect(status, output).toBe(0)
    expect(output).toContain(`${yamlFiles(RULES_DIR).length} rule files found`)
  })
})

type RuleTest = { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }

describe('alert rules', () => {
  const alerts = alertRules()

  it('every alert is tested both firing and quiet', () => {
    const firing = new Set<string>()
    const quiet = new Set<string>()
    for (const file of yamlFiles(RULE_TESTS_DIR)) {
      for (const test of (readYaml(file) as { tests: RuleTest[] }).tests) {
        for (const check of test.alert_rule_test ?? []) {
          ;(check.exp_alerts.length > 0 ? firing : quiet).add(check.alertname)
        }
      }
    }
    const names = alerts.map((rule) => rule.alert!)
    expect(names.filter((name) => !firing.has(name))).toEqual([])
    expect(names.filter((name) => !quiet.has(name))).toEqual([])
  })

  it('every alert says its level and links to its section of docs/runbook.md', () => {
    const runbook = readFileSync(path.join('docs', 'runbook.md'), 'utf8')
    // GitHub's anchors: a heading lower-cased, spaces to hyphens, other punctuation dropped.
    const anchors = new Set(
      [...runbook.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
        heading!
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
    )
    for (const rule of alerts) {
      expect(['page', 'ticket'], rule.alert).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary, rule.alert).toBeTruthy()
      const runbookLink = rule.annotations?.runbook ?? ''
      expect(runbookLink, rule.alert).toMatch(/^docs\/runbook\.md#[a-z0-9-]+$/)
      expect([...anchors], rule.alert).toContain(runbookLink.split('#')[1])
    }
  })

  it('the database pages and the optional dependencies only ticket', () => {
    const levelOf = (name: string) => alerts.find((rule) => rule.alert === name)?.labels?.severity
    expect(levelOf('DatabaseDown')).toBe('page')
    expect(levelOf('DependencyDown')).toBe('ticket')
    expect(alerts.find((rule) => rule.alert === 'DependencyDown')?.expr).not.toContain('database')
  })
})

describe('selectorsOf', () => {
  it('finds the series an expression reads, not its functions, labels or durations', () => {
    expect(
      selectorsOf(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_server_request_duration_seconds_bucket{route!="x"}[5m]))) > 1 and on (route) route:http_server_requests:rate5m > 0.0167',
      ),
    ).toEqual(['http_server_request_duration_seconds_bucket{route!="x"}', 'route:http_server_requests:rate5m'])
    expect(selectorsOf('dependency_state{state="up"} - ignoring (state) dependency_state{state="down"}')).toEqual([
      'dependency_state{state="up"}',
      'dependency_state{state="down"}',
    ])
  })
})
