// /api/debug/sentry logs only its body's size, and reads the body under a cap: an operator who
// leaves DEBUG_ROUTES on after a deploy check must not leave a route that reads any body whole.
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock('@/lib/auth', () => ({ getSession: async () => null }))
const logged = vi.hoisted(() => [] as Record<string, unknown>[])
vi.mock('@/lib/logs', () => ({
  getRequestLogger: async () => ({ warn: (fields: Record<string, unknown>) => logged.push(fields) }),
}))

const { POST } = await import('@/app/api/debug/sentry/route')

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  POST(
    new Request('http://localhost/api/debug/sentry', { method: 'POST', body, headers, duplex: 'half' } as RequestInit),
  )

describe('/api/debug/sentry with DEBUG_ROUTES=1', () => {
  beforeEach(() => {
    vi.stubEnv('DEBUG_ROUTES', '1')
    logged.length = 0
  })

  it('logs the size of a small body, then throws the planted error', async () => {
    await expect(post('x'.repeat(100))).rejects.toThrow('Planted server error from /api/debug/sentry')
    expect(logged).toHaveLength(1)
    expect(logged[0]?.body_bytes).toBe(100)
  })

  it('refuses a body over 16 KiB with 413, declared or streamed, without reading it to the end', async () => {
    const declared = await post('x'.repeat(16 * 1024 + 1))
    expect(declared.status).toBe(413)
    let pulled = 0
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(4096))
      },
    })
    const streamed = await post(endless)
    expect(streamed.status).toBe(413)
    expect(streamed.headers.get('connection')).toBe('close')
    expect(pulled).toBeLessThan(10)
    expect(logged).toEqual([])
  })
})
