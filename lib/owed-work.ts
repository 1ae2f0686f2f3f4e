// Work promised to run after the response (an audit row, an analytics event) and not done yet.
// after() tasks may not have run when the server stops, so the shutdown waits for what is owed
// here and names, item by item, what the deadline cut off. One list per name and process: the
// routes that promise work and the shutdown are bundled into different chunks.
import { perProcess } from './singleton'

export type OwedWork<T extends object> = {
  /**
   * Registers `item` as owed now; returns the task that does it (with `run`) and then forgets it.
   * An item the shutdown gave up on is not done any more: its log line already says so.
   */
  owe(item: T, run: () => Promise<void>): () => Promise<void>
  /**
   * Whether the shutdown gave up on `item` (its line is logged): a task already running when it
   * did may still fail afterwards, and must not log or count it a second time.
   */
  givenUp(item: T): boolean
  /** No longer owed, without being done: what it was owed for did not happen. */
  forget(item: T): void
  /** Waits until nothing is owed or `deadline` (epoch ms) passes; returns what is still owed, now given up. */
  drain(deadline: number): Promise<T[]>
  /** How many items are owed now. */
  size(): number
}

export function owedWork<T extends object>(name: string): OwedWork<T> {
  const state = () => perProcess(name, () => ({ pending: new Set<T>(), abandoned: new WeakSet<T>() }))
  return {
    owe(item, run) {
      state().pending.add(item)
      return async () => {
        if (state().abandoned.has(item)) return
        try {
          await run()
        } finally {
          state().pending.delete(item)
        }
      }
    },
    givenUp: (item) => state().abandoned.has(item),
    forget: (item) => void state().pending.delete(item),
    size: () => state().pending.size,
    async drain(deadline) {
      const { pending, abandoned } = state()
      while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      const left = [...pending]
      for (const item of left) {
        abandoned.add(item)
        pending.delete(item)
      }
      return left
    },
  }
}
