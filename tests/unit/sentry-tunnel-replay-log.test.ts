// What the /monitoring tunnel logs when it refuses a replay recording (400, 413, 429): one warn
// line an operator can find when replays go missing, with the status and the tunnel's reason and
// nothing of the envelope, and no more than REPLAY_REFUSAL_LINES_PER_MINUTE of them a minute.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { MAX_RECORDINGS_AT_ONCE } from '@/lib/errors/replay-recording'
import { forwardEnvelope, REPLAY_REFUSAL_LINES_PER_MINUTE } from '@/lib/errors/tunnel'
import { logger } from '@/lib/logs'
import { perProcess } from '@/lib/singleton'
import { post, recording, recordingPayload, replayEnvelope } from '../support/replay-envelopes'
import { inRequest } from '../support/requests'

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'
const DSN_KEY = 'planteddsnkey0123456789abcdef'

describe('the tunnel logs each refused replay recording', () => {
  let server: http.Server
  let dsn: string
  let warn: MockInstance
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.writeHead(200).end('{}'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    dsn = `http://${DSN_KEY}@127.0.0.1:${(server.address() as AddressInfo).port}/1`
    // Only Date: the window of lines is counted in wall-clock minutes, and zlib and the upstream
    // need real timers.
    vi.useFakeTimers({ toFake: ['Date'] })
  })
  afterAll(async () => {
    vi.useRealTimers()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  beforeEach(() => {
    vi.setSystemTime(Date.now() + 61_000) // each test in a window of its own
    warn = vi.spyOn(logger, 'warn')
  })
  afterEach(() => warn.mockRestore())

  // As on the Node server: in a request's context, where the request logger is the logger itself.
  const send = (body: Buffer, options: { maxRecordingBytes?: number } = {}) =>
    inRequest('req-replay-1', () => forwardEnvelope(post(body), { dsn, ...options }))

  const refusalLines = () => warn.mock.calls.filter((call) => call[1] === 'sentry_tunnel_replay_refused')

  const tokenRecording = () => recordingPayload(recording(`http://app.test/status?${TOKEN}`), { compressed: true })

  function expectNothingSecret() {
    const written = JSON.stringify(warn.mock.calls)
    for (const secret of [TOKEN, DSN_KEY, '127.0.0.1', 'http:', 'app.test', 'segment_id', 'replay_id'])
      expect(written).not.toContain(secret)
  }

  it.each([
    [
      'a recording that does not inflate',
      'replay recording is not deflated JSON',
      () => replayEnvelope(dsn, Buffer.concat([Buffer.from('{"segment_id":0}\n'), Buffer.from([0x78, 0x9c, 1, 2, 3])])),
    ],
    [
      'a second recording in one envelope',
      'more than one replay recording in an envelope',
      () => {
        const payload = tokenRecording()
        const second = Buffer.from(`${JSON.stringify({ type: 'replay_recording', length: payload.length })}\n`)
        return Buffer.concat([replayEnvelope(dsn, payload), second, payload])
      },
    ],
    [
      'a recording cut short of its length',
      'malformed envelope item',
      () => replayEnvelope(dsn, tokenRecording()).subarray(0, -10),
    ],
  ])('400, %s: one line with the reason', async (_name, reason, body) => {
    const { response } = await send(body())
    expect(response.status).toBe(400)
    expect(refusalLines()).toEqual([[{ kind: 'sentry_tunnel', status: 400, reason }, 'sentry_tunnel_replay_refused']])
    expectNothingSecret()
  })

  it('413: a recording that inflates past the cap', async () => {
    const { response } = await send(replayEnvelope(dsn, tokenRecording()), { maxRecordingBytes: 64 })
    expect(response.status).toBe(413)
    expect(refusalLines()).toEqual([
      [{ kind: 'sentry_tunnel', status: 413, reason: 'replay recording too large' }, 'sentry_tunnel_replay_refused'],
    ])
    expectNothingSecret()
  })

  it(`429: a recording that arrives while ${MAX_RECORDINGS_AT_ONCE} are being read`, async () => {
    // The counter replay-recording.ts keeps: as if four uploads were being inflated right now.
    const recordings = perProcess('replayRecordingsInFlight', () => ({ inFlight: 0 }))
    recordings.inFlight += MAX_RECORDINGS_AT_ONCE
    try {
      const { response } = await send(replayEnvelope(dsn, tokenRecording()))
      expect(response.status).toBe(429)
      expect(response.headers.get('x-sentry-rate-limits')).toBe('10:replay')
    } finally {
      recordings.inFlight -= MAX_RECORDINGS_AT_ONCE
    }
    expect(refusalLines()).toEqual([
      [
        { kind: 'sentry_tunnel', status: 429, reason: 'too many replay recordings at once' },
        'sentry_tunnel_replay_refused',
      ],
    ])
    expectNothingSecret()
  })

  it('writes nothing for a recording it forwards, nor for refusals before the recording is read', async () => {
    expect((await send(replayEnvelope(dsn, tokenRecording()))).response.status).toBe(200)
    const otherDsn = dsn.replace(DSN_KEY, 'anotherkey')
    expect((await send(replayEnvelope(otherDsn, tokenRecording()))).response.status).toBe(400)
    expect(refusalLines()).toEqual([])
  })

  it(`writes at most ${REPLAY_REFUSAL_LINES_PER_MINUTE} lines a minute, then says how many it did not`, async () => {
    const bad = () => replayEnvelope(dsn, Buffer.from('{"segment_id":0}\n[{"type":4'))
    const flood = REPLAY_REFUSAL_LINES_PER_MINUTE + 15
    for (let i = 0; i < flood; i++) expect((await send(bad())).response.status).toBe(400)
    expect(refusalLines()).toHaveLength(REPLAY_REFUSAL_LINES_PER_MINUTE)
    expect(refusalLines().every(([fields]) => !('unlogged' in (fields as object)))).toBe(true)

    warn.mockClear()
    vi.setSystemTime(Date.now() + 60_000)
    await send(bad())
    await send(bad())
    expect(refusalLines()).toEqual([
      [
        { kind: 'sentry_tunnel', status: 400, reason: 'replay recording is not a list of records', unlogged: 15 },
        'sentry_tunnel_replay_refused',
      ],
      [
        { kind: 'sentry_tunnel', status: 400, reason: 'replay recording is not a list of records' },
        'sentry_tunnel_replay_refused',
      ],
    ])
  })
})
