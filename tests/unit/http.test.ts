// The capped reader both forwarders share (lib/http.ts), fed bodies that misbehave: declared too
// large, lying about their length, endless, silent, dripping a byte at a time, broken. Each body
// counts what was pulled from it, so "refused before reading" and "stopped at the cap" are
// measured rather than assumed.
import { describe, expect, it } from 'vitest'
import { readCapped } from '@/lib/http'

const KiB = 1024
const MiB = 1024 * KiB

/** A body that produces `chunk`-byte pieces on demand (forever unless `total` is given), counting what it gave. */
function source({
  chunk = 64 * KiB,
  total = Infinity,
  declared,
}: { chunk?: number; total?: number; declared?: number } = {}) {
  const seen = { pulls: 0, bytes: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        seen.pulls++
        const size = Math.min(chunk, total - seen.bytes)
        if (size <= 0) return controller.close()
        seen.bytes += size
        controller.enqueue(new Uint8Array(size).fill(0x78))
      },
      cancel() {
        seen.cancelled = true
      },
    },
    // Nothing is pulled until the reader asks: the count is what readCapped took.
    { highWaterMark: 0 },
  )
  const headers = declared === undefined ? {} : { 'content-length': String(declared) }
  const request = new Request('http://app.test/ingest/e/', {
    method: 'POST',
    body: stream,
    headers,
    duplex: 'half',
  } as RequestInit)
  return { request, seen }
}

/** A body that sends nothing more after `first` bytes, or one byte every `dripMs`, and never ends. */
function stalled({ first = 0, dripMs }: { first?: number; dripMs?: number }) {
  const seen = { pulls: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        seen.pulls++
        if (seen.pulls === 1 && first > 0) return controller.enqueue(new Uint8Array(first))
        if (dripMs === undefined) return new Promise<void>(() => {}) // silent forever
        await new Promise((resolve) => setTimeout(resolve, dripMs))
        controller.enqueue(new Uint8Array([0x78]))
      },
      cancel() {
        seen.cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  const request = new Request('http://app.test/monitoring', {
    method: 'POST',
    body: stream,
    duplex: 'half',
  } as RequestInit)
  return { request, seen }
}

const limits = { maxBytes: 1 * MiB, timeoutMs: 2000 }

describe('readCapped', () => {
  it('returns a body within the cap whole, declared or chunked', async () => {
    const chunked = source({ total: 200 * KiB + 7 })
    const read = await readCapped(chunked.request, limits)
    expect(read.ok && read.body.byteLength).toBe(200 * KiB + 7)
    const declared = source({ total: 1 * MiB, declared: 1 * MiB })
    const exact = await readCapped(declared.request, limits)
    expect(exact.ok && exact.body.byteLength).toBe(1 * MiB)
    expect(exact.ok && exact.body.every((byte) => byte === 0x78)).toBe(true)
  })

  it('refuses a declared length over the cap without pulling a byte', async () => {
    const { request, seen } = source({ declared: 50 * MiB })
    expect(await readCapped(request, limits)).toMatchObject({ ok: false, status: 413 })
    expect(seen.pulls).toBe(0)
  })

  it('refuses a malformed Content-Length without pulling a byte', async () => {
    for (const declared of ['-1', '1e3', '12abc', '1, 1']) {
      const stream = new ReadableStream({ pull: () => expect.unreachable('pulled') }, { highWaterMark: 0 })
      const request = new Request('http://app.test/', {
        method: 'POST',
        body: stream,
        headers: { 'content-length': declared },
        duplex: 'half',
      } as RequestInit)
      expect(await readCapped(request, limits), declared).toMatchObject({ ok: false, status: 400 })
    }
  })

  it('stops a body that declares 100 bytes and sends megabytes after its first chunk', async () => {
    const { request, seen } = source({ declared: 100, total: 50 * MiB })
    expect(await readCapped(request, limits)).toMatchObject({ ok: false, status: 413 })
    expect(seen.pulls).toBe(1)
    expect(seen.cancelled).toBe(true)
  })

  it('stops a body that declares the cap and sends more at one chunk past it', async () => {
    const { request, seen } = source({ declared: 1 * MiB, total: 50 * MiB })
    expect(await readCapped(request, limits)).toMatchObject({ ok: false, status: 413 })
    expect(seen.bytes).toBe(1 * MiB + 64 * KiB)
    expect(seen.cancelled).toBe(true)
  })

  it('stops an endless body without a length at one chunk past the cap', async () => {
    const { request, seen } = source()
    const started = Date.now()
    expect(await readCapped(request, limits)).toMatchObject({ ok: false, status: 413 })
    expect(seen.bytes).toBeLessThanOrEqual(1 * MiB + 64 * KiB)
    expect(seen.cancelled).toBe(true)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('gives up on a body that goes silent, at the deadline', async () => {
    const { request, seen } = stalled({ first: 10 })
    const started = Date.now()
    expect(await readCapped(request, { maxBytes: 1 * MiB, timeoutMs: 300 })).toMatchObject({ ok: false, status: 408 })
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(2000)
    expect(seen.cancelled).toBe(true)
  })

  it('gives up on a body that drips a byte at a time, at the deadline for the whole body', async () => {
    // Each byte arrives well within any per-read idle timeout; only a deadline on the whole read ends it.
    const { request, seen } = stalled({ dripMs: 20 })
    const started = Date.now()
    expect(await readCapped(request, { maxBytes: 1 * MiB, timeoutMs: 400 })).toMatchObject({ ok: false, status: 408 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(seen.pulls).toBeGreaterThan(5)
    expect(seen.cancelled).toBe(true)
  })

  it('answers a stream that breaks with 400, not a throw', async () => {
    const stream = new ReadableStream(
      { pull: (controller) => controller.error(new Error('socket hang up')) },
      { highWaterMark: 0 },
    )
    const request = new Request('http://app.test/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(await readCapped(request, limits)).toEqual({ ok: false, status: 400, reason: 'body could not be read' })
  })

  it('reads a request without a body as empty', async () => {
    const read = await readCapped(new Request('http://app.test/', { method: 'POST' }), limits)
    expect(read.ok && read.body.byteLength).toBe(0)
  })
})
