// The ops kit against real data: a production server, a real Prometheus scraping it every second
// with ops/prometheus/rules loaded, and a little traffic (pages, creates, a 404, a 500, a failed
// sign-in, analytics and flags with PostHog unreachable). Then every Grafana panel's query and
// every recording rule's expression must run without error and return series, and every series
// an alert reads must exist: a misspelt metric or label fails here, not at 2am.
// With OPS_DASHBOARD_PNG=<file> it also draws the panels from the same data into that PNG
// (docs/operations-dashboard.png), since Grafana itself is not installed here.
import { expect, test } from '@playwright/test'
import { alertRules, dashboardPanels, recordingRules, RULES_DIR, selectorsOf, yamlFiles } from '../support/ops-kit'
import { signUp, TEST_PASSWORD } from './support/auth'
import { renderDashboard } from './support/dashboard-render'
import { hasPrometheus, startPrometheus, type Prometheus } from './support/prometheus'
import { freePort, startServer, type AppServer } from './support/server'

const TOKEN = 'e2e-ops-metrics-token-0123456789'

let app: AppServer
let prometheus: Prometheus
test.beforeAll(async () => {
  if (!hasPrometheus() && process.env.CI)
    throw new Error('promtool/prometheus not found: apt-get install -y prometheus')
  test.skip(!hasPrometheus(), 'Prometheus is not installed (Debian/Ubuntu: apt-get install -y prometheus)')
  app = await startServer({
    waitForReady: true,
    env: {
      METRICS_TOKEN: TOKEN,
      DEBUG_ROUTES: '1', // /api/debug/error answers 500: the error panels get a 5xx
      // PostHog configured but unreachable (a closed port): analytics events fail, flags fall
      // back, and dependency_state shows posthog down.
      NEXT_PUBLIC_POSTHOG_KEY: 'phc_ops_dashboard_e2e',
      POSTHOG_HOST: `http://127.0.0.1:${await freePort()}`,
    },
  })
  prometheus = await startPrometheus({ target: new URL(app.url).host, token: TOKEN, ruleFiles: yamlFiles(RULES_DIR) })
})
test.afterAll(async () => {
  await prometheus?.stop()
  await app?.stop()
})

/** Every query the kit runs, named by where it comes from. */
function queries(): { source: string; expr: string }[] {
  return [
    ...dashboardPanels().flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ source: `panel "${panel.title}"`, expr: target.expr })),
    ),
    ...recordingRules().map((rule) => ({ source: `recording rule ${rule.record}`, expr: rule.expr })),
    ...alertRules().flatMap((rule) =>
      selectorsOf(rule.expr).map((selector) => ({ source: `alert ${rule.alert} reads`, expr: selector })),
    ),
  ]
}

async function problemsWith(list: { source: string; expr: string }[]): Promise<string[]> {
  const problems: string[] = []
  for (const { source, expr } of list) {
    try {
      // NaN (a rate over no traffic, a ratio of 0/0) draws nothing: it counts as no data.
      const samples = await prometheus.query(expr)
      if (!samples.some((sample) => Number.isFinite(Number(sample.value[1]))))
        problems.push(`${source}: ${samples.length === 0 ? 'no series' : 'only NaN'} for ${expr}`)
    } catch (error) {
      problems.push(`${source}: ${(error as Error).message}`)
    }
  }
  return problems
}

test('every panel, recording rule and alert selector returns series from the real app', async ({ page, browser }) => {
  const started = Date.now() / 1000
  // A series of http_server_requests_total appears at its first request, which rate() cannot
  // see (docs/observability.md): the 404 and the 500 come once now and once after a few scrapes.
  const failures = async () => {
    expect((await fetch(`${app.url}/no-such-page`)).status).toBe(404)
    expect((await fetch(`${app.url}/api/debug/error`)).status).toBe(500)
  }
  await failures()
  await signUp(page, app, 'ops-dashboard@example.com') // two audit rows, analytics events
  const ids: string[] = []
  for (const name of ['Ada', 'Grace', 'Edsger']) {
    const created = await page.request.post(`${app.url}/api/customers`, {
      data: { name, email: `${name.toLowerCase()}@example.com` },
    })
    expect(created.status()).toBe(201)
    ids.push(((await created.json()) as { customer: { id: string } }).customer.id)
  }
  await page.goto(`${app.url}/customers/${ids[0]}`) // evaluates the customer_history flag
  await page.goto(`${app.url}/activity`)
  await failures()
  expect((await fetch(`${app.url}/api/ready`)).status).toBe(200) // dependency_state database up

  const stranger = await browser.newContext()
  const signIn = await stranger.newPage()
  await signIn.goto(`${app.url}/sign-in`)
  await signIn.getByLabel('Email').fill('ops-dashboard@example.com')
  await signIn.getByLabel('Password').fill(`not ${TEST_PASSWORD}`)
  await signIn.getByRole('button', { name: 'Sign in' }).click()
  await expect(signIn.locator('p[role="alert"]')).toHaveText('Email or password is incorrect.')
  await stranger.close()

  // Scraped every second and the rules evaluated every second: wait until every query answers.
  const all = queries()
  expect(all.length).toBeGreaterThan(30)
  let problems = await problemsWith(all)
  for (const deadline = Date.now() + 20_000; problems.length > 0 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 1000))
    problems = await problemsWith(all)
  }
  expect(problems).toEqual([])

  // The traffic shows where it should, not just somewhere.
  const value = async (expr: string) => Number((await prometheus.query(expr))[0]?.value[1])
  expect(await value('sum(http_server_requests_total{route="/api/debug/error",status="500"})')).toBe(2)
  expect(await value('sum(http_server_requests_total{route="unmatched",status="404"})')).toBe(2)
  expect(await value('route:http_server_requests_5xx:ratio_rate5m{route="/api/debug/error"}')).toBe(1)
  // PostHog unreachable: posthog-node counts a send as failed only after its retries, seconds later.
  await expect.poll(() => value('result:analytics_events:rate5m{result="error"}')).toBeGreaterThan(0)
  await expect.poll(() => value('audit_log_writes_total{result="ok"}')).toBeGreaterThanOrEqual(6)
  await expect.poll(() => value('dependency_state{dependency="database",state="up"}')).toBe(1)

  if (process.env.OPS_DASHBOARD_PNG) {
    await new Promise((r) => setTimeout(r, 5000)) // a few more points after the last request
    await renderDashboard(page, prometheus, {
      panels: dashboardPanels(),
      start: started,
      end: Date.now() / 1000,
      file: process.env.OPS_DASHBOARD_PNG,
    })
  }
})
