// The local inspector's buffer and its query endpoint, as `next dev` runs them (NODE_ENV is read
// when the module loads, so each test loads it fresh in development).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RequestContext } from '@/lib/request/context'

async function loadInDevelopment() {
  vi.resetModules()
  vi.stubEnv('NODE_ENV', 'development')
  const inspect = await import('@/lib/inspect')
  const { requestContextStorage } = await import('@/lib/request/context')
  inspect.forgetInspectedRequests()
  return { ...inspect, requestContextStorage }
}

const access = (requestId: string, path: string, status: number, extra: Record<string, unknown> = {}) => ({
  kind: 'access',
  request_id: requestId,
  method: 'GET',
  path,
  route: null,
  status,
  duration_ms: 12,
  ...extra,
})

describe('the inspector buffer', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('records nothing outside development', async () => {
    vi.resetModules()
    vi.stubEnv('NODE_ENV', 'production')
    const inspect = await import('@/lib/inspect')
    inspect.recordForInspector('r1', 'log', access('r1', '/', 200))
    expect(inspect.inspectedRequests()).toEqual([])
    expect(inspect.inspectedRequest('r1')).toBeUndefined()
  })

  it('files each entry under its request; the access line makes the list row', async () => {
    const inspect = await loadInDevelopment()
    inspect.recordForInspector('r1', 'span', { name: 'SELECT customers', start_ms: 1, duration_ms: 2 })
    expect(inspect.inspectedRequests()).toEqual([]) // in flight: not listed yet
    inspect.recordForInspector('r1', 'log', access('r1', '/customers', 200, { user_id: 'u1' }))
    inspect.recordForInspector('r1', 'audit', { action: 'customer.created', created_at: new Date(0) })
    const [row] = inspect.inspectedRequests()
    expect(row).toMatchObject({ requestId: 'r1', method: 'GET', path: '/customers', status: 200, userId: 'u1' })
    expect(row!.counts).toEqual({ span: 1, log: 1, audit: 1 })
    const one = inspect.inspectedRequest('r1')!
    expect(one.entries.map((entry) => entry.kind)).toEqual(['span', 'log', 'audit'])
    expect(one.entries[2]!.data.created_at).toBe('1970-01-01T00:00:00.000Z') // dates stay readable
    inspect.recordForInspector(undefined, 'log', { msg: 'no request' })
    expect(inspect.inspectedRequests()).toHaveLength(1)
  })

  it("forgets the tooling's own requests, including what they record after their access line", async () => {
    const inspect = await loadInDevelopment()
    for (const [id, path] of [
      ['a', '/_next/static/chunk.js'],
      ['b', '/api/dev/inspect?id=x'],
      ['c', '/dev/inspect'],
      ['d', '/icon.svg?v=1'],
      ['e', '/__nextjs_original-stack-frames'],
    ] as const) {
      inspect.recordForInspector(id, 'span', { name: 'GET' })
      inspect.recordForInspector(id, 'log', access(id, path, 200))
      inspect.recordForInspector(id, 'span', { name: 'late' })
      expect(inspect.inspectedRequest(id), path).toBeUndefined()
    }
    expect(inspect.inspectedRequests()).toEqual([])
  })

  it('is bounded: the oldest requests go first, and entries past the cap are counted, not kept', async () => {
    const inspect = await loadInDevelopment()
    for (let index = 0; index < inspect.MAX_REQUESTS + 5; index += 1)
      inspect.recordForInspector(`r${index}`, 'log', access(`r${index}`, '/', 200))
    expect(inspect.inspectedRequest('r0')).toBeUndefined()
    expect(inspect.inspectedRequest('r4')).toBeUndefined()
    expect(inspect.inspectedRequest('r5')).toBeDefined()
    expect(inspect.inspectedRequests({}, 1000)).toHaveLength(inspect.MAX_REQUESTS)

    for (let index = 0; index < inspect.MAX_ENTRIES_PER_REQUEST + 7; index += 1)
      inspect.recordForInspector('busy', 'log', { msg: 'x'.repeat(inspect.MAX_STRING_LENGTH + 50) })
    const busy = inspect.inspectedRequest('busy')!
    expect(busy.entries).toHaveLength(inspect.MAX_ENTRIES_PER_REQUEST)
    expect(busy.summary.dropped).toBe(7)
    expect(String(busy.entries[0]!.data.msg).length).toBeLessThan(inspect.MAX_STRING_LENGTH + 20)
  })

  it('filters by request ID, user, route, status or status class, and errors', async () => {
    const inspect = await loadInDevelopment()
    inspect.recordForInspector('ok-1', 'log', access('ok-1', '/customers', 200, { user_id: 'alice' }))
    inspect.recordForInspector('fail-2', 'log', access('fail-2', '/debug/error', 500, { user_id: 'bob' }))
    inspect.recordForInspector('caught-3', 'error', { event: {} })
    inspect.recordForInspector('caught-3', 'log', access('caught-3', '/activity', 200))
    const ids = (filter: Parameters<typeof inspect.inspectedRequests>[0]) =>
      inspect.inspectedRequests(filter).map((request) => request.requestId)
    expect(ids({})).toEqual(['caught-3', 'fail-2', 'ok-1'])
    expect(ids({ requestId: 'fail' })).toEqual(['fail-2'])
    expect(ids({ userId: 'ali' })).toEqual(['ok-1'])
    expect(ids({ route: '/debug' })).toEqual(['fail-2'])
    expect(ids({ status: '5xx' })).toEqual(['fail-2'])
    expect(ids({ status: '200' })).toEqual(['caught-3', 'ok-1'])
    expect(ids({ errorsOnly: true })).toEqual(['caught-3', 'fail-2'])
  })
})

describe('GET /api/dev/inspect', () => {
  let inspect: Awaited<ReturnType<typeof loadInDevelopment>>
  beforeEach(async () => {
    inspect = await loadInDevelopment()
    inspect.recordForInspector('r1', 'log', access('r1', '/customers', 200))
  })
  afterEach(() => vi.unstubAllEnvs())

  const ask = (query: string, peerAddress: string | undefined, host = 'localhost:3000') =>
    inspect.requestContextStorage.run(
      { requestId: 'self', startedAt: 0, requestIdSource: 'server', peerAddress } as RequestContext,
      () => inspect.answerInspectorQuery(new Request(`http://${host}/api/dev/inspect${query}`, { headers: { host } })),
    )

  it('answers this machine only: 404 for any other address, or outside a request', async () => {
    for (const peer of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await ask('', peer)).status, peer).toBe(200)
    for (const peer of ['192.168.1.20', '10.0.0.1', '::ffff:192.0.2.2', undefined])
      expect((await ask('', peer)).status, String(peer)).toBe(404)
    expect(inspect.answerInspectorQuery(new Request('http://localhost/api/dev/inspect')).status).toBe(404)
  })

  it('answers only by a loopback name: a rebound DNS name on a loopback peer gets 404', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST'])
      expect((await ask('', '127.0.0.1', host)).status, host).toBe(200)
    for (const host of ['evil.example:3000', 'localhost.evil.example', '127.0.0.1.nip.io:3000', '192.0.2.2:3000'])
      expect((await ask('', '127.0.0.1', host)).status, host).toBe(404)
  })

  it('lists, looks one up, and refuses a bad filter with a reason', async () => {
    expect(await (await ask('?route=customers', '127.0.0.1')).json()).toMatchObject({
      requests: [{ requestId: 'r1', status: 200 }],
    })
    const one = await ask('?id=r1', '127.0.0.1')
    expect(one.status).toBe(200)
    expect(await one.json()).toMatchObject({ summary: { requestId: 'r1' }, entries: [{ kind: 'log' }] })
    expect((await ask('?id=gone', '127.0.0.1')).status).toBe(404)
    const bad = await ask(`?status=abc&request=${'x'.repeat(300)}`, '127.0.0.1')
    expect(bad.status).toBe(400)
    const body = (await bad.json()) as { error: string; problems: string[] }
    expect(body.error).toBe('invalid filter')
    expect(body.problems.join('\n')).toMatch(/status: a status such as 500/)
    expect(body.problems.join('\n')).toMatch(/request:/)
    expect(bad.headers.get('cache-control')).toBe('no-store')
  })
})
