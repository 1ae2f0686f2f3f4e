// The access line's level: `info` for the app's own requests, `trace` for Next's assets, so
// development's default level (debug) shows each page and action without the dozens of chunk
// requests a page load makes.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { writeAccessLine } from '@/lib/logs'
import { logger } from '@/lib/logs/logger'

const record = (path: string) => ({
  context: { requestId: 'level-test', requestIdSource: 'server' as const, startedAt: 0 },
  method: 'GET',
  path,
  route: undefined,
  status: 200,
  durationMs: 1,
})

describe('the access line level', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each([
    ['/_next/static/chunks/app.js', 'trace'],
    ['/_next/image?url=x', 'trace'],
    ['/customers', 'info'],
    ['/api/customers', 'info'],
  ] as const)('%s is written at %s', (path, expected) => {
    const calls: string[] = []
    for (const level of ['trace', 'debug', 'info'] as const) {
      vi.spyOn(logger, level).mockImplementation(() => {
        calls.push(level)
      })
    }
    writeAccessLine(record(path))
    expect(calls).toEqual([expected])
  })
})
