// The access record's status 499 (nginx's convention, docs/logging.md): the client went away
// before the response was finished. A real socket closed while the app is still working, beside
// one that waits for its answer.
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installHttpHook, onRequestFinished, type AccessRecord } from '@/lib/request/http-hook'

describe('the Node hook when the client goes away', () => {
  let server: http.Server
  let port: number
  const finished: AccessRecord[] = []
  let arrived = () => {}

  beforeAll(async () => {
    installHttpHook()
    onRequestFinished((record) => finished.push(record))
    // A slow page: the answer comes 300 ms after the request.
    server = http.createServer((req, res) => {
      if (req.url === '/gone') arrived()
      setTimeout(() => {
        if (!res.destroyed) res.end('ok')
      }, 300)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`

  it('records 499 for a request whose client closed before the answer, and the real status otherwise', async () => {
    // Closed once the app has the request (however slow the machine), before its answer.
    const reached = new Promise<void>((resolve) => (arrived = resolve))
    const gone = net.connect(port, '127.0.0.1', () => gone.write(request('/gone')))
    void reached.then(() => gone.destroy())
    const answered = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(request('/stayed')))
      let data = ''
      socket.on('data', (chunk) => (data += chunk.toString()))
      socket.on('end', () => resolve(data))
      socket.on('error', reject)
    })
    expect(answered).toMatch(/^HTTP\/1\.1 200/)
    await expect
      .poll(() =>
        finished.filter((record) => ['/gone', '/stayed'].includes(record.path)).map((r) => [r.path, r.status]),
      )
      .toEqual(
        expect.arrayContaining([
          ['/gone', 499],
          ['/stayed', 200],
        ]),
      )
  })
})
