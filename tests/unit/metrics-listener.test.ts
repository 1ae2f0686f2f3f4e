// The metrics' own port (METRICS_PORT): what it serves, who it lets in, that the request hook
// leaves its scrapes out of the app's traffic, and that it closes when asked (the shutdown).
import { afterEach, describe, expect, it } from 'vitest'
import { startMetricsListener, stopMetricsListener } from '@/lib/metrics/listener'
import { installHttpHook, onRequestFinished, type AccessRecord } from '@/lib/request/http-hook'

const TOKEN = 'a-long-enough-metrics-token'

describe('the metrics listener', () => {
  afterEach(() => stopMetricsListener())

  it('serves the exposition at GET /metrics and nothing else, and the hook does not count its scrapes', async () => {
    installHttpHook()
    const seen: AccessRecord[] = []
    onRequestFinished((record) => seen.push(record))
    const { port } = await startMetricsListener({ port: 0, host: '127.0.0.1', token: undefined })
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(scrape.status).toBe(200)
    expect(scrape.headers.get('content-type')).toContain('text/plain')
    expect(await scrape.text()).toContain('# TYPE http_server_requests_total counter')
    expect(scrape.headers.get('x-request-id')).toBeNull()
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404)
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seen).toEqual([])
  })

  it('wants the bearer token when METRICS_TOKEN is set', async () => {
    const { port } = await startMetricsListener({ port: 0, host: '127.0.0.1', token: TOKEN })
    const url = `http://127.0.0.1:${port}/metrics`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
  })

  it('closes on stop', async () => {
    const { port } = await startMetricsListener({ port: 0, host: '127.0.0.1', token: undefined })
    await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() // leaves a kept-alive socket
    await stopMetricsListener()
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow()
  })

  it('rejects when the port is taken, so start-up can say so', async () => {
    const { port } = await startMetricsListener({ port: 0, host: '127.0.0.1', token: undefined })
    await expect(startMetricsListener({ port, host: '127.0.0.1', token: undefined })).rejects.toThrow(/EADDRINUSE/)
  })
})
