// PostHog as the flags backend, on the server. The request goes through lib/analytics, which
// owns the server's one PostHog client and is the only place posthog-node is imported.
import 'server-only'
import { isPostHogTimeout, postHogFlag } from '../analytics'
import { FlagsTimeoutError, type FlagContext, type FlagsAdapter } from './adapter'
import type { FlagName } from './registry'

export class PostHogFlags implements FlagsAdapter {
  readonly name = 'posthog'

  /** PostHog's answer. A request that failed rejects; one that timed out, as a FlagsTimeoutError. */
  async evaluate(flag: FlagName, context: FlagContext) {
    try {
      return await postHogFlag(flag, context)
    } catch (error) {
      throw isPostHogTimeout(error) ? new FlagsTimeoutError(flag, { cause: error }) : error
    }
  }
}
