// PostHog as the flags backend, on the server (posthog-node lives in lib/analytics).
import 'server-only'
import type { PostHog } from 'posthog-node'
import { ORGANIZATION_GROUP } from '../analytics/events'
import { isPostHogTimeout, withReportedErrors } from '../analytics/posthog-server'
import { FlagsTimeoutError, type FlagContext, type FlagsAdapter } from './adapter'
import type { FlagName } from './registry'

export class PostHogFlags implements FlagsAdapter {
  readonly name = 'posthog'
  constructor(private readonly client: PostHog) {}

  /**
   * One /flags request for this flag. posthog-node answers a failed or timed-out request with an
   * empty snapshot (indistinguishable from "PostHog does not know this flag") and reports the
   * failure on its 'error' event; that report is turned back into a rejection here, so lib/flags
   * can tell a broken backend from a missing flag.
   */
  async evaluate(flag: FlagName, { distinctId, orgId }: FlagContext) {
    const { result: flags, errors } = await withReportedErrors(this.client, () =>
      this.client.evaluateFlags(distinctId, {
        flagKeys: [flag],
        ...(orgId ? { groups: { [ORGANIZATION_GROUP]: orgId } } : {}),
      }),
    )
    const [error] = errors
    if (error !== undefined) throw isPostHogTimeout(error) ? new FlagsTimeoutError(flag, { cause: error }) : error
    // Flags only pick what to render here; no experiment exposure is recorded.
    const value = flags.getFlag(flag, { sendFeatureFlagEvents: false })
    return value === undefined ? undefined : value !== false
  }
}
