// One request ID through every response and log line, on a real production server.
import net from 'node:net'
import { expect, test } from '@playwright/test'
import { signUp } from './support/auth'
import { accessLines, jsonLines, waitForLogs } from './support/logs'
import { startServer, type AppServer } from './support/server'

let app: AppServer
test.beforeAll(async () => {
  app = await startServer({ env: { DEBUG_ROUTES: '1', LOG_LEVEL: 'info' } })
})
test.afterAll(async () => {
  await app?.stop()
})

test('the server says once that it started: its release, its Node, what it is configured for (booleans, never a value)', async () => {
  const lines = await waitForLogs(app, (all) => all.some((l) => l.msg === 'server_started'))
  const started = lines.filter((l) => l.msg === 'server_started')
  expect(started).toHaveLength(1)
  expect(started[0]).toMatchObject({
    level: 'info',
    service: expect.any(String),
    version: expect.any(String),
    node: process.version,
    database: process.env.TEST_DATABASE_URL?.trim() ? 'postgres' : 'pglite',
  })
  const integrations = started[0]!.integrations as Record<string, unknown>
  expect(Object.keys(integrations).sort()).toEqual(['github_sign_in', 'metrics_port', 'otlp', 'posthog', 'sentry'])
  for (const value of Object.values(integrations)) expect(typeof value).toBe('boolean')
  expect(JSON.stringify(started[0])).not.toMatch(/postgres(ql)?:\/\//)
})
/** Sends raw bytes, because fetch refuses the malformed headers an attacker would send. */
async function rawGet(
  path: string,
  headerLines: string[],
): Promise<{ status: number; headers: Record<string, string> }> {
  const { port } = new URL(app.url)
  const response = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1')
    let data = ''
    socket.on('data', (chunk) => (data += chunk.toString('latin1')))
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
    socket.write(
      Buffer.from(
        [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headerLines, '', ''].join('\r\n'),
        'utf8',
      ),
    )
  })
  const [head = ''] = response.split('\r\n\r\n')
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const at = line.indexOf(':')
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim()
  }
  return { status: Number(statusLine.split(' ')[1]), headers }
}

const cases = [
  { name: 'a static page', path: '/', status: 200, route: '/' },
  { name: 'a route handler', path: '/api/health', status: 200, route: '/api/health' },
  { name: 'a redirect', path: '/login', status: 307, route: null },
  { name: 'a 404', path: '/no-such-page', status: 404, route: null },
  { name: 'a thrown error in a route handler', path: '/api/debug/error', status: 500, route: '/api/debug/error' },
  { name: 'a thrown error while rendering', path: '/debug/error', status: 500, route: '/debug/error' },
]

for (const { name, path, status, route } of cases) {
  test(`a valid ID is echoed unchanged, with one access line, on ${name}`, async ({ request }) => {
    const id = `e2e:${path.replace(/[^a-z]/g, '_')}-${Date.now()}`
    const response = await request.get(`${app.url}${path}`, { headers: { 'x-request-id': id }, maxRedirects: 0 })
    expect(response.status()).toBe(status)
    expect(response.headers()['x-request-id']).toBe(id)
    await waitForLogs(app, () => accessLines(app, id).length >= 1)
    await new Promise((r) => setTimeout(r, 200)) // a duplicate would land by now
    const lines = accessLines(app, id)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ request_id: id, method: 'GET', status, route })
    expect(typeof lines[0]!.duration_ms).toBe('number')
  })
}

test('the proxy skips only the telemetry forwarding paths and the probes, as whole paths', async ({ request }) => {
  // The proxy marks what it handled with `Server-Timing: rid;desc=…`; the Node hook alone does not.
  const handledByProxy = async (path: string) =>
    /\brid;desc=/.test((await request.get(`${app.url}${path}`, { maxRedirects: 0 })).headers()['server-timing'] ?? '')
  expect(await handledByProxy('/monitoring')).toBe(false)
  expect(await handledByProxy('/monitoring-status')).toBe(true)
  expect(await handledByProxy('/ingestion')).toBe(true)
  expect(await handledByProxy('/no-such-page')).toBe(true)
  for (const probe of ['/api/health', '/api/ready', '/api/metrics'])
    expect(await handledByProxy(probe), probe).toBe(false)
  expect(await handledByProxy('/api/healthz')).toBe(true)
  expect(await handledByProxy('/api/health/more')).toBe(true)
  expect(await handledByProxy('/api/customers')).toBe(true)
})

test('a missing ID is generated, echoed, and equals the access line', async ({ request }) => {
  const response = await request.get(`${app.url}/api/health`)
  const id = response.headers()['x-request-id']
  expect(id).toMatch(/^[0-9a-f-]{36}$/)
  await waitForLogs(app, () => accessLines(app, id).length === 1)
})

const hostile = [
  ['spaces', 'x-request-id: hostile id with spaces'],
  ['quotes', 'x-request-id: hostile"quoted"'],
  ['too long', `x-request-id: hostile${'z'.repeat(200)}`],
  ['comma-joined', 'x-request-id: hostileA,hostileB'],
  ['two headers', 'x-request-id: hostileOne', 'x-request-id: hostileTwo'],
  ['non-ASCII', 'x-request-id: hostile-é-ü'],
  ['log forging', 'x-request-id: hostile\\n{"level":"error"}'],
] as const

for (const [label, ...headerLines] of hostile) {
  test(`a hostile ID (${label}) is replaced and never reflected`, async () => {
    const response = await rawGet('/api/health', [...headerLines])
    expect(response.status).toBe(200)
    const id = response.headers['x-request-id']!
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    await waitForLogs(app, () => accessLines(app, id).length === 1)
    expect(Object.values(response.headers).join('\n')).not.toContain('hostile')
    expect(app.output.join('\n')).not.toContain('hostile')
  })
}

test('exactly one access line per request under concurrency', async ({ request }) => {
  const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}-${Date.now()}`)
  await Promise.all(
    ids.map((id, i) => request.get(`${app.url}${i % 2 ? '/' : '/no-such-page'}`, { headers: { 'x-request-id': id } })),
  )
  await waitForLogs(app, () => ids.every((id) => accessLines(app, id).length >= 1))
  await new Promise((r) => setTimeout(r, 200))
  for (const id of ids) expect(accessLines(app, id)).toHaveLength(1)
})

test('planted credentials never reach the logs, including a logged error', async ({ request }) => {
  const planted = {
    password: 'planted-password-5f1c',
    token: 'planted-token-9a7e',
    cookie: 'planted-cookie-3b2d',
    // A token sent as a bare query key, no `token=`: not a name, so not logged as one.
    bareKey: 'planted-bare-key-eyJhbGciOiJIUzI1NiJ9-7c1e',
  }
  const response = await request.post(
    `${app.url}/api/debug/error?password=${planted.password}&token=${planted.token}&${planted.bareKey}`,
    {
      headers: {
        authorization: `Bearer ${planted.token}`,
        cookie: `session=${planted.cookie}`,
        'x-request-id': 'planted-run',
      },
      data: { email: 'someone@example.com', password: planted.password },
    },
  )
  expect(response.status()).toBe(500)
  const lines = await waitForLogs(app, (all) => all.some((l) => l.request_id === 'planted-run' && l.kind === 'access'))
  // The debug log (headers as they came), the error line and the access line were all written…
  const mine = lines.filter((l) => l.request_id === 'planted-run')
  expect(mine.map((l) => l.kind ?? l.msg).sort()).toEqual(['access', 'debug_error_requested', 'request_error'])
  // …and none of them, nor anything else the server printed, carries a planted value.
  const everything = app.output.join('\n')
  for (const value of Object.values(planted)) expect(everything).not.toContain(value)
  expect(everything).not.toContain('someone@example.com')
})

test('an error line names where and what failed, and carries the request ID', async ({ request }) => {
  await request.get(`${app.url}/api/debug/error`, { headers: { 'x-request-id': 'error-shape' } })
  const lines = await waitForLogs(app, (all) =>
    all.some((l) => l.request_id === 'error-shape' && l.kind === 'request_error'),
  )
  const errors = lines.filter((l) => l.request_id === 'error-shape' && l.kind === 'request_error')
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatchObject({
    level: 'error',
    route_type: 'route',
    route_path: '/api/debug/error',
    err: { type: 'Error', message: 'Planted server error from /api/debug/error' },
  })
  expect(String((errors[0]!.err as { stack: string }).stack)).toContain('Planted server error')
})

test('the error page shows a reference that finds the request in the logs', async ({ page }) => {
  const response = await page.goto(`${app.url}/debug/error`)
  expect(response?.status()).toBe(500)
  const requestId = response!.headers()['x-request-id']!
  await expect(page.getByTestId('reference')).toHaveText(requestId)
  const digest = (await page.getByTestId('error-digest').textContent())?.trim()
  const lines = await waitForLogs(app, (all) =>
    all.some((l) => l.kind === 'request_error' && l.request_id === requestId),
  )
  const errorLine = lines.find((l) => l.kind === 'request_error' && l.request_id === requestId)
  expect((errorLine?.err as { digest?: string }).digest).toBe(digest)
  // The access line names the same reference: the request's wide event says how it ended.
  const access = await waitForLogs(app, () => accessLines(app, requestId).length > 0)
  expect(access.find((l) => l.kind === 'access' && l.request_id === requestId)?.error_digest).toBe(digest)
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible()
  // An error that keeps happening on retry is not a dead end.
  await page.getByRole('link', { name: 'Back to the start' }).click()
  await expect(page).toHaveURL(`${app.url}/`)
})

test("a signed-in page's access line says what it did: its queries and their time, the flags and their results", async ({
  page,
}) => {
  const signUpId = await signUp(page, app, 'wide-line@example.com')
  // The sign-up action's line: the rows and events it promised for after the response (signing
  // up also signs in: user.signed_up and user.signed_in, signed_up and signed_in).
  // The action's redirect renders /customers with the same request ID (a GET line that can be
  // written first): wait for the POST's own line.
  await waitForLogs(app, () => accessLines(app, signUpId).some((l) => l.method === 'POST'))
  const signUpLine = accessLines(app, signUpId).find((l) => l.method === 'POST')
  expect(signUpLine).toMatchObject({ audit_rows_queued: 2, analytics_events_tracked: 2 })
  const response = await page.request.get(`${app.url}/customers`, { headers: { 'x-request-id': 'wide-line' } })
  expect(response.status()).toBe(200)
  await waitForLogs(app, () => accessLines(app, 'wide-line').length > 0)
  const [line] = accessLines(app, 'wide-line')
  expect(line!.db_queries).toBeGreaterThanOrEqual(1)
  expect(line!.db_ms).toBeGreaterThan(0)
  expect(line!.flags).toEqual({ customer_history: { value: true, result: 'default' } })
  expect(line).not.toHaveProperty('error_digest')
})

test('the not-found page shows the request ID as its reference', async ({ page }) => {
  const response = await page.goto(`${app.url}/no-such-page-either`)
  expect(response?.status()).toBe(404)
  await expect(page.getByTestId('reference')).toHaveText(response!.headers()['x-request-id']!)
})

test('log lines are JSON with service, env and version', async () => {
  const line = jsonLines(app).find((l) => l.kind === 'access')
  expect(line).toMatchObject({ service: 'signalbox', env: 'production', level: 'info' })
  expect(line).toHaveProperty('version')
})
