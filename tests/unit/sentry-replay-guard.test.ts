// Which pages Session Replay records in the browser (lib/errors/sentry-browser.ts): the recording
// stores the page's address, so a page whose address holds a query string, or a fragment the
// privacy rule would change (`#access_token=…`, a bare token), loads no Replay at all, and one
// reached in the app with such an address has its records dropped. A plain anchor is recorded.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const added: Array<{ beforeAddRecordingEvent: (record: { type: number }) => unknown }> = []

vi.mock('@sentry/nextjs', () => ({
  addIntegration: (integration: (typeof added)[number]) => added.push(integration),
}))
vi.mock('@/lib/errors/sentry-browser-replay', () => ({
  replayIntegration: (options: (typeof added)[number]) => options,
}))

const { loadReplayWhenIdle } = await import('@/lib/errors/sentry-browser')

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'

describe('Session Replay and the page address', () => {
  const location = { search: '', hash: '', pathname: '/cb' }
  beforeEach(() => {
    added.length = 0
    vi.stubGlobal('window', { location, requestIdleCallback: (load: () => void) => load() })
    vi.stubGlobal('document', { readyState: 'complete' })
  })
  afterEach(() => vi.unstubAllGlobals())

  async function loadOn(search: string, hash: string): Promise<boolean> {
    Object.assign(location, { search, hash })
    loadReplayWhenIdle()
    await new Promise((resolve) => setTimeout(resolve, 50)) // the replay chunk's import()
    return added.length > 0
  }

  it.each([
    ['no query, no fragment', '', ''],
    ['a plain anchor', '', '#pricing'],
    ['an anchor of words', '', '#section-2'],
  ])('loads on a page with %s', async (_name, search, hash) => {
    expect(await loadOn(search, hash)).toBe(true)
  })

  it.each([
    ['a query string', '?page=2', ''],
    ['a token as a bare query key', `?${TOKEN}`, ''],
    ['a token in a fragment of pairs', '', `#access_token=${TOKEN}&state=x`],
    ['a bare token as the fragment', '', `#${TOKEN}`],
  ])('does not load on a page with %s', async (_name, search, hash) => {
    expect(await loadOn(search, hash)).toBe(false)
  })

  it('drops the records of a page reached in the app with a token in its fragment', async () => {
    expect(await loadOn('', '')).toBe(true)
    const [replay] = added
    const record = { type: 3 }
    expect(replay!.beforeAddRecordingEvent(record)).toEqual(record)
    location.hash = `#access_token=${TOKEN}`
    expect(replay!.beforeAddRecordingEvent(record)).toBeNull()
    location.hash = '#top'
    expect(replay!.beforeAddRecordingEvent(record)).toEqual(record)
  })
})
