// PostHog as the flags backend, on the server (posthog-node lives in lib/analytics).
import 'server-only'
import type { PostHog } from 'posthog-node'
import { ORGANIZATION_GROUP } from '../analytics/events'
import type { FlagContext, FlagsAdapter } from './adapter'
import type { FlagName } from './registry'

export class PostHogFlags implements FlagsAdapter {
  readonly name = 'posthog'
  constructor(private readonly client: PostHog) {}

  async evaluate(flag: FlagName, { distinctId, orgId }: FlagContext) {
    const value = await this.client.isFeatureEnabled(flag, distinctId, {
      ...(orgId ? { groups: { [ORGANIZATION_GROUP]: orgId } } : {}),
      sendFeatureFlagEvents: false,
    })
    return value
  }
}
