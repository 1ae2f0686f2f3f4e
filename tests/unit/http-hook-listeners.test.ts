// Next and Sentry each add their own 'close' listeners to a response (under `next dev`, eight
// and two on a page). With the hook's, that passed Node's default ceiling of ten, and `next dev`
// printed "Possible EventEmitter memory leak detected" on every page. The server below adds
// what they add; the hook must keep Node quiet and still see the response end once.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { installHttpHook, onRequestFinished, type AccessRecord } from '@/lib/request/http-hook'

const LISTENERS_FROM_NEXT_AND_SENTRY = 10

describe('the Node hook and the close listeners of the layers above it', () => {
  let server: http.Server
  let port: number
  const finished: AccessRecord[] = []
  const warnings: Error[] = []
  const onWarning = (warning: Error) => warnings.push(warning)

  beforeAll(async () => {
    installHttpHook()
    onRequestFinished((record) => finished.push(record))
    process.on('warning', onWarning)
    server = http.createServer((_req, res) => {
      for (let i = 0; i < LISTENERS_FROM_NEXT_AND_SENTRY; i++) res.once('close', () => {})
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => {
    process.off('warning', onWarning)
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('prints no memory-leak warning, and the request is recorded once', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/customers`, { headers: { 'x-request-id': 'listeners-1' } })
    expect(await response.text()).toBe('ok')
    await expect.poll(() => finished.filter((record) => record.context.requestId === 'listeners-1').length).toBe(1)
    // Node emits the warning on a later tick: give it one before looking.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([])
  })
})
