import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import net from 'node:net'
import path from 'node:path'
import { expect, test, type APIResponse } from '@playwright/test'
import { startServer, type AppServer } from './support/server'

test.describe('production server', () => {
  let app: AppServer
  test.beforeAll(async () => {
    // Explicitly without DEBUG_ROUTES, whatever the developer's shell exports.
    app = await startServer({ env: { DEBUG_ROUTES: undefined } })
  })
  test.afterAll(async () => {
    await app?.stop()
  })

  test('the home page says what Signalbox is', async ({ page }) => {
    const response = await page.goto(app.url)
    expect(response?.status()).toBe(200)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/See what your app is doing/)
    await expect(page).toHaveTitle('Signalbox')
  })

  test('the home page links to /status, which shows the ID its own response carries', async ({ page }) => {
    await page.goto(app.url)
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/status' && r.request().resourceType() === 'document'),
      page.getByRole('link', { name: '/status' }).click(),
    ])
    const requestId = response.headers()['x-request-id']
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
    await expect(page.getByTestId('request-id')).toHaveText(requestId!)
    await expect(page).toHaveTitle('Status · Signalbox')
    await page.getByRole('link', { name: 'Back to the start' }).click()
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/See what your app is doing/)
  })

  test('health and readiness answer 200 and are never cached', async ({ request }) => {
    const health = await request.get(`${app.url}/api/health`)
    expect(health.status()).toBe(200)
    expect(await health.json()).toEqual({ status: 'ok' })
    expect(health.headers()['cache-control']).toBe('no-store')

    // The first check opens the database (PGlite loads, postgres.js connects): on a loaded
    // machine that can take longer than the check's 1 s bound, and 503 until then is what a
    // readiness probe should say. Either way the answer is never cached.
    let ready: APIResponse | undefined
    await expect
      .poll(
        async () => {
          const answer = await request.get(`${app.url}/api/ready`)
          expect(answer.headers()['cache-control']).toBe('no-store')
          ready = answer
          return answer.status()
        },
        { timeout: 15_000 },
      )
      .toBe(200)
    expect(await ready!.json()).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' } } })
  })

  test('an unknown page is a 404 with a way back', async ({ page }) => {
    const response = await page.goto(`${app.url}/no-such-page`)
    expect(response?.status()).toBe(404)
    await expect(page.getByRole('link', { name: 'Back to the start' })).toBeVisible()
  })

  test('without DEBUG_ROUTES the four debug routes answer 404 and fail nothing', async ({ request }) => {
    for (const path of ['/api/debug/error', '/api/debug/sentry', '/debug/error', '/debug/sentry']) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await request.fetch(`${app.url}${path}`, { method, maxRedirects: 0 })
        expect(response.status(), `${method} ${path}`).toBe(404)
        expect(await response.text(), `${method} ${path}`).not.toContain('Planted')
      }
    }
    // A 404 is not an incident: none of them reached the error log.
    expect(app.output.filter((line) => line.includes('Planted'))).toEqual([])
  })

  test('the local inspector is not in a production build: 404, and no built file carries it', async ({ request }) => {
    for (const url of ['/dev/inspect', '/dev/inspect?request=x', '/api/dev/inspect', '/api/dev/inspect?id=x']) {
      const response = await request.get(`${app.url}${url}`, { maxRedirects: 0 })
      expect(response.status(), url).toBe(404)
      expect(await response.text(), url).not.toContain('Recent requests')
    }
    // Neither its page (server or browser chunks) nor its route handler was built: the build's
    // app-path manifest has no /dev route, and no file carries the page's markers.
    const manifest = JSON.parse(await readFile('.next/server/app-paths-manifest.json', 'utf8')) as Record<
      string,
      string
    >
    expect(Object.keys(manifest).filter((route) => route.includes('/dev/'))).toEqual([])
    const carriers: string[] = []
    for (const file of await readdir('.next', { recursive: true })) {
      // .next/dev is `next dev`'s own output, when one ran in this checkout.
      if (!/\.(js|html|rsc|json)$/.test(file) || /^(dev|cache)\//.test(file)) continue
      const text = await readFile(path.join('.next', file), 'utf8')
      if (text.includes('inspector-detail') || text.includes('Recent requests')) carriers.push(file)
    }
    expect(carriers).toEqual([])
  })
})

async function exitCodeOf(app: AppServer): Promise<number | null> {
  return new Promise<number | null>((resolve) => {
    if (app.process.exitCode !== null) resolve(app.process.exitCode)
    app.process.once('exit', (exitCode) => resolve(exitCode))
  })
}

test('a production server without DATABASE_URL refuses to start, naming the variable', async () => {
  const app = await startServer({ env: { DATABASE_URL: undefined }, waitForHealth: false })
  expect(await exitCodeOf(app)).not.toBe(0)
  const complaint = app.output.filter((line) => line.includes('DATABASE_URL'))
  expect(complaint).toHaveLength(1)
  expect(complaint[0]).toMatch(/DATABASE_URL is required in production/)
})

test('a production server whose embedded database folder another running process holds stops, naming that process', async () => {
  // The lock as a running server leaves it: this test's own process stands in for that server.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'signalbox-pglite-held-'))
  writeFileSync(path.join(dataDir, 'signalbox.lock'), String(process.pid))
  const app = await startServer({ env: { DATABASE_URL: `pglite:${dataDir}` }, waitForHealth: false })
  try {
    expect(await exitCodeOf(app)).toBe(1)
    const stopped = app.output.flatMap((line) => line.split('\n')).filter((line) => line.includes('database_in_use'))
    expect(stopped).toHaveLength(1)
    expect(JSON.parse(stopped[0]!)).toMatchObject({
      level: 'fatal',
      msg: 'database_in_use',
      err: { message: expect.stringContaining(`open in another process (pid ${process.pid}, perhaps another`) },
    })
    expect(stopped[0]).not.toContain('[REDACTED]')
  } finally {
    await app.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test('a production server that would take its origin from the Host header refuses to start, naming AUTH_URL', async () => {
  const app = await startServer({
    env: { AUTH_URL: undefined, AUTH_TRUST_HOST: undefined, VERCEL: undefined },
    waitForHealth: false,
  })
  try {
    expect(await exitCodeOf(app)).not.toBe(0)
    const complaint = app.output.filter((line) => line.includes('AUTH_URL'))
    expect(complaint).toHaveLength(1)
    expect(complaint[0]).toMatch(/AUTH_URL is required in production \(or AUTH_TRUST_HOST=true/)
  } finally {
    await app.stop()
  }
})

test('with the database unreachable, ready is 503 within 2 s and health stays 200', async ({ request }) => {
  const sockets = new Set<net.Socket>()
  const silent = net.createServer((socket) => sockets.add(socket)) // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const { port } = silent.address() as net.AddressInfo
  const app = await startServer({ env: { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/app` } })
  try {
    const started = Date.now()
    const ready = await request.get(`${app.url}/api/ready`, { timeout: 5000 })
    const elapsed = Date.now() - started
    expect(ready.status()).toBe(503)
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      checks: { database: { status: 'fail', error: 'no answer within 1000 ms' } },
    })
    expect(elapsed).toBeLessThan(2000)
    expect((await request.get(`${app.url}/api/health`)).status()).toBe(200)
  } finally {
    await app.stop()
    for (const socket of sockets) socket.destroy()
    silent.close()
  }
})
