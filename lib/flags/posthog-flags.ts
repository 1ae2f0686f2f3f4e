// PostHog as the flags backend, on the server. The request goes through lib/analytics, which
// owns the server's one PostHog client and is the only place posthog-node is imported.
import 'server-only'
import { isPostHogTimeout, postHogFlags } from '../analytics'
import { FlagsTimeoutError, type FlagContext, type FlagsAdapter } from './adapter'
import type { FlagName, FlagValues } from './registry'

export class PostHogFlags implements FlagsAdapter {
  readonly name = 'posthog'

  /** PostHog's answers, from one request. One that failed rejects; one that timed out, as a FlagsTimeoutError. */
  async evaluate(flags: readonly FlagName[], context: FlagContext): Promise<Partial<FlagValues>> {
    try {
      return await postHogFlags(flags, context)
    } catch (error) {
      throw isPostHogTimeout(error) ? new FlagsTimeoutError({ cause: error }) : error
    }
  }
}
