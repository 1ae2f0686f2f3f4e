// The real posthog-node SDK, pointed at a local recording server, behind our adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostHogAnalytics, createPostHogClient } from '@/lib/analytics/posthog-server'
import { PostHogFlags } from '@/lib/flags/posthog-flags'
import { evaluateFlag } from '@/lib/flags'
import { FLAGS } from '@/lib/flags/registry'
import { startPostHogRecorder, type PostHogRecorder } from '../support/posthog-recorder'

describe('PostHog on the server', () => {
  let recorder: PostHogRecorder
  beforeAll(async () => {
    recorder = await startPostHogRecorder()
  })
  afterAll(async () => {
    await recorder.close()
  })

  it('sends an event with its tags, request ID and organization group', async () => {
    const client = createPostHogClient('phc_test', recorder.url)
    const analytics = new PostHogAnalytics(client)
    await analytics.capture({
      event: 'customer_created',
      properties: { feature: 'customers', surface: 'api', source: 'api', org_id: 'org-1', request_id: 'req-1' },
      distinctId: 'user-1',
    })
    const sent = recorder.events.filter((e) => e.event === 'customer_created')
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({
      distinct_id: 'user-1',
      properties: { feature: 'customers', surface: 'api', source: 'api', org_id: 'org-1', request_id: 'req-1', $groups: { organization: 'org-1' } },
    })
    await client.shutdown()
  })

  it('does not create a person profile for an anonymous event', async () => {
    const client = createPostHogClient('phc_test', recorder.url)
    await new PostHogAnalytics(client).capture({
      event: 'signed_out',
      properties: { feature: 'auth', surface: 'app_shell', request_id: 'req-anon' },
      distinctId: undefined,
    })
    const sent = recorder.events.find((e) => e.properties.request_id === 'req-anon')
    expect(sent).toMatchObject({ distinct_id: 'req-anon', properties: { $process_person_profile: false } })
    await client.shutdown()
  })

  it('with the backend down, capture rejects quickly (for track() to log and count) instead of hanging', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const started = performance.now()
    await expect(
      new PostHogAnalytics(client).capture({ event: 'signed_out', properties: { feature: 'auth', surface: 'app_shell' }, distinctId: 'u' }),
    ).rejects.toBeDefined()
    expect(performance.now() - started).toBeLessThan(8000)
    await client.shutdown().catch(() => {})
  })

  it('flags: an unreachable PostHog gives the safe default within the timeout', async () => {
    const down = await startPostHogRecorder()
    const url = down.url
    await down.close()
    const client = createPostHogClient('phc_test', url)
    const started = performance.now()
    const value = await evaluateFlag('customer_history', { distinctId: 'u1' }, new PostHogFlags(client))
    expect(value).toBe(FLAGS.customer_history.default)
    expect(performance.now() - started).toBeLessThan(600)
    await client.shutdown().catch(() => {})
  })
})
