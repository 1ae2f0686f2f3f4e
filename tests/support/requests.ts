// Running lib code the way a request runs it: inside a request context (so getRequestId()
// answers) and with `after()` tasks held until the test flushes them, which is what lets a test
// see that a mutation returned before its audit row was written.
import { requestContextStorage } from '@/lib/request/context'
import type { RequestIdSource } from '@/lib/request/id'

export function inRequest<T>(
  requestId: string,
  work: () => Promise<T>,
  { source = 'server' }: { source?: RequestIdSource } = {},
): Promise<T> {
  return requestContextStorage.run({ requestId, requestIdSource: source, startedAt: performance.now() }, work)
}

/** A stand-in for next/server's `after()`; use with vi.mock('next/server', ...). */
export function createAfterQueue() {
  const tasks: (() => unknown)[] = []
  return {
    after: (task: () => unknown) => {
      tasks.push(task)
    },
    get pending() {
      return tasks.length
    },
    async flush() {
      while (tasks.length > 0) await tasks.shift()?.()
    },
  }
}
