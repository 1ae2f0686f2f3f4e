import type { FlagName, FlagValues } from './registry'

export type FlagContext = { distinctId: string; orgId?: string }

/**
 * A flags backend: answers all the flags asked about in one go (one request to a remote
 * backend), leaving out those it has no opinion on. Tiny on purpose.
 */
export interface FlagsAdapter {
  readonly name: string
  evaluate(flags: readonly FlagName[], context: FlagContext): Promise<Partial<FlagValues>>
}

/** Thrown by an adapter whose backend gave up waiting (counted as `timeout`, not `error`). */
export class FlagsTimeoutError extends Error {
  constructor(options?: ErrorOptions) {
    super('flags backend timed out', options)
    this.name = 'FlagsTimeoutError'
  }
}

/** Values from FEATURE_FLAGS, or given directly in tests. */
export class MemoryFlags implements FlagsAdapter {
  readonly name = 'memory'
  constructor(private readonly values: Partial<Record<FlagName, boolean>>) {}
  async evaluate(flags: readonly FlagName[]) {
    return Object.fromEntries(flags.filter((flag) => flag in this.values).map((flag) => [flag, this.values[flag]]))
  }
}
