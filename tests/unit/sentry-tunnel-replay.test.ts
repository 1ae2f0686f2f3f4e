// Session Replay recordings through the /monitoring tunnel: the page's address in each full
// snapshot (rrweb Meta records, `data.href`) passes no browser hook, so the tunnel scrubs it
// like every other URL on its way to Sentry, compressed or not, and forwards everything else as
// it came. Crafted envelopes in the SDK's own layout (@sentry/core serializeEnvelope, Replay's
// createReplayEnvelope and prepareRecordingData).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { deflateSync, inflateSync } from 'node:zlib'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MAX_RECORDINGS_AT_ONCE, metaRecords } from '@/lib/errors/replay-recording'
import { forwardEnvelope } from '@/lib/errors/tunnel'
import { post, recording, recordingPayload, replayEnvelope, type RrwebEvent } from '../support/replay-envelopes'

const BARE_KEY_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'
const MiB = 1024 * 1024

type Item = { header: Record<string, unknown>; payload: Buffer }

/** Splits an envelope the way Relay does: a length-delimited payload, else one up to the newline. */
function itemsOf(body: Buffer): Item[] {
  let offset = body.indexOf(0x0a) + 1
  const items: Item[] = []
  while (offset > 0 && offset < body.length) {
    const end = body.indexOf(0x0a, offset)
    const header = JSON.parse(body.subarray(offset, end).toString('utf8')) as Record<string, unknown>
    offset = end + 1
    if (typeof header.length === 'number') {
      items.push({ header, payload: body.subarray(offset, offset + header.length) })
      offset += header.length
      if (body[offset] === 0x0a) offset += 1
    } else {
      const stop = body.indexOf(0x0a, offset)
      items.push({ header, payload: body.subarray(offset, stop === -1 ? body.length : stop) })
      offset = stop === -1 ? body.length : stop + 1
    }
  }
  return items
}

/** The recording item's segment header, whether it arrived compressed, and its events. */
function readRecording(payload: Buffer) {
  const newline = payload.indexOf(0x0a)
  const data = payload.subarray(newline + 1)
  const compressed = data[0] !== 0x5b // '[' starts a plain JSON recording
  const json = (compressed ? inflateSync(data) : data).toString('utf8')
  return {
    segment: JSON.parse(payload.subarray(0, newline).toString('utf8')) as unknown,
    compressed,
    json,
    events: JSON.parse(json) as RrwebEvent[],
  }
}

describe('the tunnel and Session Replay recordings', () => {
  // An upstream that keeps the exact bytes it was sent.
  const received: Buffer[] = []
  let server: http.Server
  let dsn: string
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        received.push(Buffer.concat(chunks))
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    dsn = `http://publickey@127.0.0.1:${(server.address() as AddressInfo).port}/1`
  })
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
  beforeEach(() => {
    received.length = 0
  })

  async function forwarded(body: Buffer): Promise<Buffer> {
    const { response, outcome } = await forwardEnvelope(post(body), { dsn })
    expect(outcome).toEqual({ forwarded: true, status: 200 })
    expect(response.status).toBe(200)
    expect(received).toHaveLength(1)
    return received[0]!
  }

  it.each([
    ['compressed', `http://app.test/status?${BARE_KEY_TOKEN}`, 'http://app.test/status?[REDACTED]='],
    ['uncompressed', `http://app.test/status?${BARE_KEY_TOKEN}`, 'http://app.test/status?[REDACTED]='],
    ['compressed', 'http://app.test/reset?token=secret-reset-token&page=2', 'http://app.test/reset?token=&page='],
    ['uncompressed', 'http://app.test/reset?token=secret-reset-token', 'http://app.test/reset?token='],
    // A token in the fragment (OAuth's implicit flow, magic links): the same rule as everywhere.
    [
      'compressed',
      `http://app.test/cb#access_token=${BARE_KEY_TOKEN}&state=x`,
      'http://app.test/cb#access_token=&state=',
    ],
    ['uncompressed', `http://app.test/verify#${BARE_KEY_TOKEN}`, 'http://app.test/verify#[REDACTED]'],
  ])('scrubs the address in a %s recording: %s', async (kind, href, scrubbed) => {
    const compressed = kind === 'compressed'
    const events = recording(href)
    const body = await forwarded(replayEnvelope(dsn, recordingPayload(events, { compressed })))

    const secret = href.includes('secret-reset-token') ? 'secret-reset-token' : BARE_KEY_TOKEN
    const items = itemsOf(body)
    expect(items.map((item) => item.header.type)).toEqual(['replay_event', 'replay_recording'])
    const [, recordingItem] = items
    expect(recordingItem!.header.length).toBe(recordingItem!.payload.length)
    const out = readRecording(recordingItem!.payload)
    expect(out.json).not.toContain(secret)
    expect(out.compressed).toBe(compressed)
    expect(out.segment).toEqual({ segment_id: 0 })
    // Only the address changed; every other record is as the browser sent it.
    expect(out.events).toEqual([{ ...events[0], data: { ...events[0]!.data, href: scrubbed } }, ...events.slice(1)])
    expect(body.includes(secret)).toBe(false)
  })

  it('scrubs every full snapshot of a segment, in a segment that is not the first', async () => {
    const events = [
      ...recording(`http://app.test/status?${BARE_KEY_TOKEN}`),
      ...recording('http://app.test/customers?q=jane%40example.com'),
    ]
    const body = await forwarded(replayEnvelope(dsn, recordingPayload(events, { compressed: true, segmentId: 3 })))
    const out = readRecording(itemsOf(body)[1]!.payload)
    expect(out.segment).toEqual({ segment_id: 3 })
    expect(out.events.filter((event) => event.type === 4).map((event) => event.data?.href)).toEqual([
      'http://app.test/status?[REDACTED]=',
      'http://app.test/customers?q=',
    ])
  })

  it('scrubs a Meta record whatever its key order, and only the top-level ones', async () => {
    const json =
      `[{"timestamp":1,"data":{"width":1,"href":"http://app.test/status?${BARE_KEY_TOKEN}","height":2},"type":4},` +
      `{"type":3,"data":{"source":0,"adds":[{"node":{"type":2,"tagName":"a","attributes":{"href":"/customers?page=2"}}}]}}]`
    const body = await forwarded(replayEnvelope(dsn, recordingPayload(json, { compressed: false })))
    const out = readRecording(itemsOf(body)[1]!.payload)
    expect(out.json).toBe(json.replace(`?${BARE_KEY_TOKEN}`, '?[REDACTED]='))
  })

  it.each([
    [
      'more Meta records than the SDK writes',
      `[${Array(101).fill('{"type":4,"data":{"href":"http://app.test/"}}').join(',')}]`,
    ],
    [
      'a Meta record larger than any address',
      `[{"type":4,"data":{"href":"http://app.test/?a=${'x'.repeat(70_000)}"}}]`,
    ],
  ])('refuses a recording with %s (400)', async (_name, json) => {
    const { response } = await forwardEnvelope(
      post(replayEnvelope(dsn, recordingPayload(json, { compressed: true }))),
      {
        dsn,
      },
    )
    expect(response.status).toBe(400)
    expect(received).toEqual([])
  })

  it('forwards envelopes without a replay recording byte for byte', async () => {
    const bodies = [
      `${JSON.stringify({ dsn })}\n{"type":"event"}\n${JSON.stringify({ message: 'at /status?token=abc, kept as sent' })}\n`,
      `${JSON.stringify({ dsn })}\n{"type":"client_report","length":2}\n{}`,
      // Text that names the item type is not an item of that type.
      `${JSON.stringify({ dsn })}\n{"type":"event"}\n{"message":"{\\"type\\":\\"replay_recording\\"}"}`,
    ]
    for (const text of bodies) {
      received.length = 0
      expect((await forwarded(Buffer.from(text))).equals(Buffer.from(text))).toBe(true)
    }
  })

  it('forwards a recording with nothing to scrub byte for byte, trailing newline included', async () => {
    for (const compressed of [true, false]) {
      received.length = 0
      const body = replayEnvelope(dsn, recordingPayload(recording('http://app.test/customers'), { compressed }), {
        trailingNewline: true,
      })
      expect((await forwarded(body)).equals(body), `compressed: ${compressed}`).toBe(true)
    }
  })

  it.each([
    [
      'a compressed recording that does not inflate',
      () => Buffer.concat([Buffer.from('{"segment_id":0}\n'), Buffer.from([0x78, 0x9c, 1, 2, 3, 4, 5])]),
    ],
    [
      'a truncated compressed recording',
      () => {
        const whole = recordingPayload(recording(`http://app.test/status?${BARE_KEY_TOKEN}`), { compressed: true })
        return whole.subarray(0, whole.length - 20)
      },
    ],
    [
      'a recording that is not JSON',
      () => recordingPayload(`[{"type":4,"data":{"href":"http://app.test/?${BARE_KEY_TOKEN}"}`, { compressed: false }),
    ],
    [
      'a recording that is not a list of records',
      () => recordingPayload({ type: 4, data: { href: `http://app.test/?${BARE_KEY_TOKEN}` } }, { compressed: true }),
    ],
    [
      'a recording without its segment line',
      () => deflateSync(JSON.stringify(recording(`http://app.test/?${BARE_KEY_TOKEN}`))),
    ],
  ])('refuses %s (400) and forwards nothing of it', async (_name, payload) => {
    const { response, outcome } = await forwardEnvelope(post(replayEnvelope(dsn, payload())), { dsn })
    expect(response.status).toBe(400)
    expect(outcome).toMatchObject({ forwarded: false, status: 400 })
    expect(received).toEqual([])
  })

  it('refuses an envelope whose recording length runs past its end (400)', async () => {
    const whole = replayEnvelope(
      dsn,
      recordingPayload(recording(`http://app.test/?${BARE_KEY_TOKEN}`), { compressed: true }),
    )
    const { response } = await forwardEnvelope(post(whole.subarray(0, whole.length - 10)), { dsn })
    expect(response.status).toBe(400)
    expect(received).toEqual([])
  })

  it('refuses a recording that inflates past the cap (413), without inflating it all', async () => {
    // 64 MiB of zeros deflate to 64 KiB: well inside the 1 MiB envelope cap.
    const bomb = Buffer.concat([Buffer.from('{"segment_id":0}\n'), deflateSync(Buffer.alloc(64 * MiB))])
    expect(bomb.length).toBeLessThan(MiB)
    const before = process.memoryUsage().arrayBuffers
    const started = performance.now()
    const { response, outcome } = await forwardEnvelope(post(replayEnvelope(dsn, bomb)), { dsn })
    expect(response.status).toBe(413)
    expect(outcome).toMatchObject({ forwarded: false, status: 413 })
    expect(received).toEqual([])
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(40 * MiB)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('refuses an envelope with more than one recording (400): each would cost an inflate', async () => {
    const payload = recordingPayload(recording(`http://app.test/?${BARE_KEY_TOKEN}`), { compressed: true })
    const item = Buffer.concat([
      Buffer.from(`${JSON.stringify({ type: 'replay_recording', length: payload.length })}\n`),
      payload,
    ])
    const { response, outcome } = await forwardEnvelope(post(Buffer.concat([replayEnvelope(dsn, payload), item])), {
      dsn,
    })
    expect(response.status).toBe(400)
    expect(outcome).toEqual({ forwarded: false, status: 400, reason: 'more than one replay recording in an envelope' })
    expect(received).toEqual([])
  })

  it(`reads at most ${MAX_RECORDINGS_AT_ONCE} recordings at once; past that 429 with a limit on replays only, then all is well again`, async () => {
    // Large enough that each inflate is still on the thread pool when the next envelope arrives.
    const big = Buffer.concat([Buffer.from('{"segment_id":0}\n'), deflateSync(Buffer.alloc(16 * MiB, 0x20))])
    const results = await Promise.all(
      Array.from({ length: MAX_RECORDINGS_AT_ONCE + 2 }, () =>
        forwardEnvelope(post(replayEnvelope(dsn, big)), { dsn }),
      ),
    )
    const statuses = results.map(({ response }) => response.status)
    // Spaces are not a list of records: each one read to the end is refused as such.
    expect(statuses.filter((status) => status === 400)).toHaveLength(MAX_RECORDINGS_AT_ONCE)
    const limited = results.filter(({ response }) => response.status === 429)
    expect(limited).toHaveLength(2)
    for (const { response } of limited) expect(response.headers.get('x-sentry-rate-limits')).toBe('10:replay')
    expect(received).toEqual([])
    // The slots are given back, failures included.
    const body = await forwarded(
      replayEnvelope(dsn, recordingPayload(recording(`http://app.test/?${BARE_KEY_TOKEN}`), { compressed: true })),
    )
    expect(body.includes(BARE_KEY_TOKEN)).toBe(false)
  })
})

describe('metaRecords: where the Meta records are, without parsing the rest', () => {
  const at = (text: string) => {
    const found = metaRecords(Buffer.from(text))
    return typeof found === 'string' ? found : found.map(({ start, end }) => text.slice(start, end))
  }

  it('finds top-level records whose type is 4, whatever the key order and spacing', () => {
    expect(at('[{"type":4,"data":{"href":"a"}},{"type":2,"data":{}},{ "data" : {"href":"b"} , "type" : 4 }]')).toEqual([
      '{"type":4,"data":{"href":"a"}}',
      '{ "data" : {"href":"b"} , "type" : 4 }',
    ])
  })

  it('is not fooled by a 4 deeper down, by strings holding brackets, quotes or escapes, or by other numbers', () => {
    expect(
      at(
        '[{"type":3,"data":{"type":4,"href":"x"}},{"type":5,"data":{"s":"}],{\\"type\\":4,\\\\","t":"[{"}},' +
          '{"type":42},{"type":"4"},{"typex":4},[{"type":4}],{"type":4,"data":{"href":"c?\\"}]"}}]',
      ),
    ).toEqual(['{"type":4,"data":{"href":"c?\\"}]"}}'])
  })

  it.each([
    ['not an array', '{"type":4}'],
    ['an array that never closes', '[{"type":4},{"type":2}'],
    ['a string that never ends', '[{"type":4,"data":{"href":"x}]'],
    ['bytes after the array', '[{"type":4}] [{"type":4}]'],
    ['more closing brackets than opening ones', '[{"type":4}]]'],
  ])('calls %s invalid', (_name, text) => {
    expect(at(text)).toBe('invalid')
  })

  it('gives up past the limit of Meta records', () => {
    expect(at(`[${Array(101).fill('{"type":4}').join(',')}]`)).toBe('too many')
    expect(at(`[${Array(100).fill('{"type":4}').join(',')}]`)).toHaveLength(100)
  })
})
