import type { FlagName } from './registry'

export type FlagContext = { distinctId: string; orgId?: string }

/** A flags backend: answers one flag, or undefined when it has no opinion. Tiny on purpose. */
export interface FlagsAdapter {
  readonly name: string
  evaluate(flag: FlagName, context: FlagContext): Promise<boolean | undefined>
}

/** Thrown by an adapter whose backend gave up waiting (counted as `timeout`, not `error`). */
export class FlagsTimeoutError extends Error {
  constructor(flag: string, options?: ErrorOptions) {
    super(`flags backend timed out evaluating "${flag}"`, options)
    this.name = 'FlagsTimeoutError'
  }
}

/** Values from FEATURE_FLAGS, or given directly in tests. */
export class MemoryFlags implements FlagsAdapter {
  readonly name = 'memory'
  constructor(private readonly values: Partial<Record<FlagName, boolean>>) {}
  async evaluate(flag: FlagName) {
    return this.values[flag]
  }
}
