// A request ID may be chosen by the client (it is propagated as sent), so it must never become
// an analytics identity: anonymous server events get an ID the server generated.
import { describe, expect, it, vi } from 'vitest'
import { recordAnalyticsEvents } from '../support/analytics-events'
import { inRequest } from '../support/requests'

vi.mock('next/server', () => ({ after: (task: () => unknown) => void task() }))

const { track } = await import('@/lib/analytics')

describe('server track() identity', () => {
  it('an anonymous event is not identified by the request ID, even one the server made', async () => {
    const events = recordAnalyticsEvents()
    for (const source of ['client', 'server'] as const) {
      await inRequest(
        `rid-${source}`,
        async () => {
          await track('signed_out', { feature: 'auth', surface: 'app_shell' })
          await track('signed_out', { feature: 'auth', surface: 'app_shell' })
        },
        { source },
      )
    }
    await vi.waitFor(() => expect(events).toHaveLength(4))
    const [first, second, third] = events
    expect(first?.properties.request_id).toBe('rid-client') // still correlatable by its property
    expect(first?.distinctId).toBeUndefined()
    expect(first?.anonymousId).toMatch(/^[0-9a-f-]{36}$/)
    expect(first?.anonymousId).not.toBe('rid-client')
    expect(second?.anonymousId).toBe(first?.anonymousId) // one identity per request
    expect(third?.anonymousId).not.toBe(first?.anonymousId) // and a new one for the next
    expect(third?.anonymousId).not.toBe('rid-server')
  })

  it('a known user is the identity, with no anonymous ID beside it', async () => {
    const events = recordAnalyticsEvents()
    await inRequest(
      'rid-user',
      () => track('signed_out', { feature: 'auth', surface: 'app_shell' }, { distinctId: 'user-1' }),
      { source: 'client' },
    )
    await vi.waitFor(() => expect(events).toHaveLength(1))
    expect(events[0]).toEqual({
      event: 'signed_out',
      properties: { feature: 'auth', surface: 'app_shell', request_id: 'rid-user' },
      distinctId: 'user-1',
    })
  })
})
