// A method the Fetch standard forbids (TRACE) must be refused by the Node hook with a 405: Next
// builds a `Request` for every route, which throws on it, so without the hook every route
// answered 500. Likewise a path escape that does not decode (`%E0`, `%ZZ`), with a 400: Next
// decodes the path on some routes and answered 500. The server below does what Next does.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installHttpHook, onRequestFinished, type AccessRecord } from '@/lib/request/http-hook'
import { rawRequest } from '../support/raw-http'

describe('the Node hook and methods fetch cannot represent', () => {
  let server: http.Server
  let port: number
  const finished: AccessRecord[] = []

  beforeAll(async () => {
    installHttpHook()
    onRequestFinished((record) => finished.push(record))
    server = http.createServer((req, res) => {
      try {
        new Request(`http://127.0.0.1${req.url}`, { method: req.method })
        decodeURIComponent((req.url ?? '/').split('?')[0]!)
        res.end('ok')
      } catch {
        res.writeHead(500).end('Internal Server Error')
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const send = (method: string, path = '/customers') =>
    rawRequest(port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close`, { kind: 'none' })

  it('answers TRACE with 405 before the app sees it, with a request ID and an access record', async () => {
    const answer = await send('TRACE')
    expect(answer.status).toBe(405)
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    await expect.poll(() => finished.map((record) => [record.method, record.status])).toContainEqual(['TRACE', 405])
  })

  it('leaves the methods the app serves to the app', async () => {
    for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS']) expect((await send(method)).status, method).toBe(200)
  })

  it('answers a path escape that does not decode with 400, whatever the method, with an ID and an access record', async () => {
    for (const [method, path] of [
      ['GET', '/customers/%ZZ'],
      ['POST', '/ingest/%E0'],
      ['GET', '/api/auth/%E0%A4?x=1'],
      ['GET', '/customers/%'],
    ] as const) {
      const answer = await send(method, path)
      expect(answer.status, path).toBe(400)
      expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8')
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
    await expect.poll(() => finished.map((record) => [record.method, record.status])).toContainEqual(['POST', 400])
  })

  it('leaves escapes that decode, and any query, to the app', async () => {
    for (const path of ['/customers/a%20b', '/customers/%E2%9C%93', '/customers?q=%E0', '/customers?q=%ZZ'])
      expect((await send('GET', path)).status, path).toBe(200)
  })
})
