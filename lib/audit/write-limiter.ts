// Bounds how many audit inserts run at once. after() keeps the insert out of the response, but
// the insert still holds a database connection while it runs: with a slow audit table and no
// bound, the pool fills with audit writes and the next mutations queue behind them. With at
// most a few in flight, a slow audit log slows only the audit log.

export class AuditBacklogFull extends Error {
  override name = 'AuditBacklogFull'
}

/**
 * Whether `error` is a refusal of this limiter. By name, not `instanceof`: the limiter is one per
 * process (lib/singleton.ts), so it throws the class of the chunk that created it, while the
 * write that catches may be bundled in another chunk with its own copy of the class.
 */
export function isBacklogFull(error: unknown): boolean {
  return error instanceof Error && error.name === 'AuditBacklogFull'
}

export type WriteLimiter = {
  run: <T>(task: () => Promise<T>) => Promise<T>
  readonly active: number
  readonly waiting: number
}

export function createWriteLimiter({
  concurrency,
  maxWaiting,
}: {
  concurrency: number
  maxWaiting: number
}): WriteLimiter {
  let active = 0
  const waiting: (() => void)[] = []
  return {
    async run(task) {
      if (active < concurrency) {
        active += 1
      } else {
        // Past this many waiting writes the database is not coming back soon; refusing keeps
        // memory bounded, and the caller logs what it could not write.
        if (waiting.length >= maxWaiting) throw new AuditBacklogFull(`${maxWaiting} audit writes already waiting`)
        await new Promise<void>((resolve) => waiting.push(resolve)) // the slot is handed over, not re-counted
      }
      try {
        return await task()
      } finally {
        const next = waiting.shift()
        if (next) next()
        else active -= 1
      }
    },
    get active() {
      return active
    },
    get waiting() {
      return waiting.length
    },
  }
}
