// Single-flight token refresh: when many requests find the same access token expired at once,
// one of them refreshes and the others wait for its result. Refresh tokens are often single
// use (GitHub rotates them), so two parallel refreshes would make one of them fail.

export type RefreshQueue<T> = {
  /**
   * Runs `refresh` for `key` unless a refresh for `key` is already in flight, in which case it
   * returns that one's promise. A failure rejects every current waiter; the next call after it
   * settles starts a new refresh.
   */
  run: (key: string, refresh: () => Promise<T>) => Promise<T>
  /** How many keys have a refresh in flight (for tests). */
  readonly inFlight: number
}

export function createRefreshQueue<T>(): RefreshQueue<T> {
  const pending = new Map<string, Promise<T>>()
  return {
    run(key, refresh) {
      const current = pending.get(key)
      if (current) return current
      // Async wrapper: a refresh that throws synchronously still rejects the waiters instead
      // of escaping, and the entry is removed before anyone sees the outcome.
      const attempt = (async () => refresh())().finally(() => pending.delete(key))
      pending.set(key, attempt)
      return attempt
    },
    get inFlight() {
      return pending.size
    },
  }
}
