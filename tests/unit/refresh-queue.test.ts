import { describe, expect, it } from 'vitest'
import { createRefreshQueue } from '@/lib/auth/refresh-queue'

const tick = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('single-flight refresh queue', () => {
  it('50 concurrent callers share exactly 1 refresh and all get its result', async () => {
    const queue = createRefreshQueue<string>()
    let refreshes = 0
    const refresh = async () => {
      refreshes += 1
      await tick()
      return `token-${refreshes}`
    }
    const results = await Promise.all(Array.from({ length: 50 }, () => queue.run('github:user-1', refresh)))
    expect(refreshes).toBe(1)
    expect(new Set(results)).toEqual(new Set(['token-1']))
    expect(queue.inFlight).toBe(0)
  })

  it('a failure rejects every current waiter, and the next call refreshes again', async () => {
    const queue = createRefreshQueue<string>()
    let refreshes = 0
    const failing = async () => {
      refreshes += 1
      await tick()
      throw new Error('refresh token revoked')
    }
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => queue.run('k', failing)))
    expect(refreshes).toBe(1)
    expect(
      outcomes.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'refresh token revoked'),
    ).toBe(true)

    const next = await queue.run('k', async () => {
      refreshes += 1
      return 'fresh'
    })
    expect(next).toBe('fresh')
    expect(refreshes).toBe(2)
  })

  it('a refresh that throws synchronously still rejects its waiters instead of escaping', async () => {
    const queue = createRefreshQueue<string>()
    const boom = (() => {
      throw new Error('sync')
    }) as unknown as () => Promise<string>
    await expect(Promise.all([queue.run('k', boom), queue.run('k', boom)])).rejects.toThrow('sync')
    expect(queue.inFlight).toBe(0)
  })

  it('different keys (users, providers) refresh independently', async () => {
    const queue = createRefreshQueue<string>()
    const calls: string[] = []
    const refreshFor = (key: string) => async () => {
      calls.push(key)
      await tick()
      return key
    }
    const results = await Promise.all(['a', 'b', 'a', 'b', 'c'].map((key) => queue.run(key, refreshFor(key))))
    expect(results).toEqual(['a', 'b', 'a', 'b', 'c'])
    expect(calls.sort()).toEqual(['a', 'b', 'c'])
  })

  it('a caller arriving after the refresh settled starts a new one', async () => {
    const queue = createRefreshQueue<number>()
    let refreshes = 0
    const refresh = async () => ++refreshes
    expect(await queue.run('k', refresh)).toBe(1)
    expect(await queue.run('k', refresh)).toBe(2)
  })
})
