import { describe, expect, it, vi } from 'vitest'
import { AuditBacklogFull, createWriteLimiter, isBacklogFull } from '@/lib/audit/write-limiter'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('audit write limiter', () => {
  it('never runs more than `concurrency` writes at once, and runs them all', async () => {
    const limiter = createWriteLimiter({ concurrency: 2, maxWaiting: 100 })
    let running = 0
    let peak = 0
    const done: number[] = []
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running += 1
          peak = Math.max(peak, running)
          await sleep(2)
          running -= 1
          done.push(i)
        }),
      ),
    )
    expect(peak).toBe(2)
    expect(done).toHaveLength(20)
    expect([limiter.active, limiter.waiting]).toEqual([0, 0])
  })

  it('a failing write frees its slot for the next one', async () => {
    const limiter = createWriteLimiter({ concurrency: 1, maxWaiting: 10 })
    const outcomes = await Promise.allSettled([
      limiter.run(async () => {
        throw new Error('insert failed')
      }),
      limiter.run(async () => 'written'),
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled'])
    expect(limiter.active).toBe(0)
  })

  it('refuses once the backlog is full instead of growing without bound', async () => {
    const limiter = createWriteLimiter({ concurrency: 1, maxWaiting: 2 })
    let release!: () => void
    const blocker = limiter.run(() => new Promise<void>((resolve) => (release = resolve)))
    const queued = [limiter.run(async () => 1), limiter.run(async () => 2)]
    await expect(limiter.run(async () => 3)).rejects.toBeInstanceOf(AuditBacklogFull)
    release()
    await blocker
    expect(await Promise.all(queued)).toEqual([1, 2])
  })

  it("recognises a refusal thrown by another chunk's copy of the class", async () => {
    // As in a production build: the per-process limiter comes from one chunk, the catch from another.
    vi.resetModules()
    const otherChunk = await import('@/lib/audit/write-limiter')
    expect(otherChunk.AuditBacklogFull).not.toBe(AuditBacklogFull)
    const limiter = otherChunk.createWriteLimiter({ concurrency: 1, maxWaiting: 0 })
    let release!: () => void
    const blocker = limiter.run(() => new Promise<void>((resolve) => (release = resolve)))
    const refusal = await limiter.run(async () => 1).catch((error: unknown) => error)
    expect(refusal).not.toBeInstanceOf(AuditBacklogFull)
    expect(isBacklogFull(refusal)).toBe(true)
    expect(isBacklogFull(new Error('connection refused'))).toBe(false)
    release()
    await blocker
  })
})
