// Session Replay recordings on their way through the tunnel (tunnel.ts). Each full snapshot
// starts with an rrweb Meta record whose `data.href` is the page's address, and no browser hook
// sees it (Replay's `beforeAddRecordingEvent` gets only custom records). So the tunnel scrubs
// those addresses like every other URL sent to Sentry (scrubUrl), and leaves the rest of the
// envelope as it came. Node only (node:zlib): kept out of lib/errors's index, which the edge
// runtime loads too.
//
// Layouts, as @sentry/core and @sentry/replay 11.1 write them: an envelope is a header line, then
// items, each a header line and a payload that is `length` bytes long when its header says so,
// else runs to the next newline. A `replay_recording` payload is `{"segment_id":n}\n` followed by
// a JSON array of rrweb records, zlib-deflated by Replay's worker, or plain JSON when the worker
// could not start.
import { promisify } from 'node:util'
import { deflate, inflate } from 'node:zlib'
import { perProcess } from '../singleton'
import { scrubUrl } from './scrub-event'

/**
 * The most a recording may inflate to: what Replay itself buffers at most before it gives up on
 * a segment (REPLAY_MAX_EVENT_BUFFER_SIZE, 20 million characters), so the SDK never sends more.
 * Inflating stops there, so 1 MiB of deflated zeros costs 20 MiB, not a gigabyte.
 */
export const MAX_RECORDING_BYTES = 20 * 1024 * 1024

/** A Meta record is its address and two numbers; one this large is not the SDK's. */
const MAX_META_RECORD_BYTES = 64 * 1024

/**
 * The SDK writes one Meta record per full snapshot, a few per segment; a recording with more is
 * refused rather than costing a parse each (2 million of them fit in 20 MiB).
 */
const MAX_META_RECORDS = 100

/**
 * Recordings being inflated and scanned at once, in this process. The tunnel takes envelopes from
 * anyone who has the DSN (it is in the page), and each recording may cost 20 MiB and about 85 ms
 * of scanning: without a bound, a burst of small hostile uploads would take the server's memory.
 * Past it a recording is answered 429 with a rate limit on replays only, which the SDK honours.
 */
export const MAX_RECORDINGS_AT_ONCE = 4

export type EnvelopeScrub =
  { ok: true; body: Uint8Array<ArrayBuffer> } | { ok: false; status: 400 | 413 | 429; reason: string }

type Refusal = Extract<EnvelopeScrub, { ok: false }>
type Edit = { start: number; end: number; bytes: Uint8Array }

const NEWLINE = 0x0a
const inflateAsync = promisify(inflate)
const deflateAsync = promisify(deflate)
const refuse = (status: 400 | 413 | 429, reason: string): Refusal => ({ ok: false, status, reason })
// Per process, not per module copy: the bound is on the process's memory.
const recordings = perProcess('replayRecordingsInFlight', () => ({ inFlight: 0 }))

/**
 * The envelope with the page address in each replay recording's Meta records scrubbed. An
 * envelope without a `replay_recording` item, or whose addresses need nothing, comes back as
 * the same bytes; only item headers are read for it. A recording that cannot be read (not
 * deflate, not JSON, no segment line) is refused with 400 and one that inflates past
 * `maxRecordingBytes` with 413: either way nothing of the envelope goes on, rather than a
 * recording nobody could scrub.
 */
export async function scrubReplayRecordings(
  body: Uint8Array<ArrayBuffer>,
  maxRecordingBytes = MAX_RECORDING_BYTES,
): Promise<EnvelopeScrub> {
  const edits: Edit[] = []
  let seenRecording = false
  let offset = body.indexOf(NEWLINE) + 1 // past the envelope header (the tunnel has read it)
  while (offset > 0 && offset < body.length) {
    const lineEnd = endOfLine(body, offset)
    const line = body.subarray(offset, lineEnd)
    if (line.length === 0) {
      offset = lineEnd + 1
      continue
    }
    const header = parseObject(line)
    if (!header) return refuse(400, 'malformed envelope item')
    const start = lineEnd + 1
    let end: number
    if (header.length === undefined) end = endOfLine(body, start)
    else if (Number.isSafeInteger(header.length) && (header.length as number) >= 0)
      end = start + (header.length as number)
    else return refuse(400, 'malformed envelope item')
    if (end > body.length) return refuse(400, 'malformed envelope item')
    if (header.type === 'replay_recording') {
      // The SDK sends one per envelope; more would multiply what one upload may cost.
      if (seenRecording) return refuse(400, 'more than one replay recording in an envelope')
      seenRecording = true
      if (recordings.inFlight >= MAX_RECORDINGS_AT_ONCE) return refuse(429, 'too many replay recordings at once')
      recordings.inFlight++
      let payload: Awaited<ReturnType<typeof scrubRecording>>
      try {
        payload = await scrubRecording(body.subarray(start, end), maxRecordingBytes)
      } finally {
        recordings.inFlight--
      }
      if (payload !== undefined && 'ok' in payload) return payload
      if (payload !== undefined) {
        const newHeader = new TextEncoder().encode(JSON.stringify({ ...header, length: payload.length }))
        edits.push({ start: offset, end: lineEnd, bytes: newHeader }, { start, end, bytes: payload })
      }
    }
    offset = body[end] === NEWLINE ? end + 1 : end
  }
  return { ok: true, body: edits.length === 0 ? body : splice(body, edits) }
}

/** The recording with its addresses scrubbed; undefined when none needed it. */
async function scrubRecording(payload: Uint8Array, maxBytes: number): Promise<Uint8Array | undefined | Refusal> {
  const newline = payload.indexOf(NEWLINE)
  if (newline === -1 || !parseObject(payload.subarray(0, newline)))
    return refuse(400, 'replay recording without its segment header')
  const data = payload.subarray(newline + 1)
  const compressed = data[0] !== 0x5b // `[`: Replay sends plain JSON when its worker is not there
  let json: Buffer
  if (!compressed) json = Buffer.from(data.buffer, data.byteOffset, data.length)
  else {
    try {
      json = await inflateAsync(data, { maxOutputLength: maxBytes })
    } catch (error) {
      return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        ? refuse(413, 'replay recording too large')
        : refuse(400, 'replay recording is not deflated JSON')
    }
  }
  const metas = metaRecords(json)
  if (metas === 'invalid') return refuse(400, 'replay recording is not a list of records')
  if (metas === 'too many') return refuse(400, 'replay recording has more full snapshots than the SDK sends')
  const edits: Edit[] = []
  for (const { start, end } of metas) {
    if (end - start > MAX_META_RECORD_BYTES) return refuse(400, 'replay recording has an oversized Meta record')
    const record = parseObject(json.subarray(start, end)) as { type?: unknown; data?: { href?: unknown } } | undefined
    if (!record) return refuse(400, 'replay recording is not a list of records')
    const href = record.data?.href
    if (record.type !== 4 || typeof href !== 'string') continue
    const scrubbed = scrubUrl(href)
    if (scrubbed === href) continue
    const bytes = Buffer.from(JSON.stringify({ ...record, data: { ...record.data, href: scrubbed } }))
    edits.push({ start, end, bytes })
  }
  if (edits.length === 0) return undefined
  const scrubbedJson = splice(json, edits)
  const encoded = compressed ? await deflateAsync(scrubbedJson) : scrubbedJson
  return Buffer.concat([payload.subarray(0, newline + 1), encoded])
}

/**
 * Where the Meta records are in a recording (a JSON array of rrweb records): each top-level
 * object whose `type` is 4, found in one pass over the bytes without parsing the rest, so a
 * recording costs a scan and a parse of its few Meta records, whatever its size or shape.
 * `invalid` when the bytes are not an array of records (unbalanced, a string that never ends),
 * `too many` past `limit` Meta records (the SDK writes one per full snapshot).
 */
export function metaRecords(
  json: Uint8Array,
  limit = MAX_META_RECORDS,
): Array<{ start: number; end: number }> | 'invalid' | 'too many' {
  const found: Array<{ start: number; end: number }> = []
  let i = skipSpace(json, 0)
  if (json[i] !== 0x5b) return 'invalid'
  let depth = 0
  let recordStart = -1 // the record being read, when it is an object
  let isMeta = false
  let keyStart = -1 // the last string read directly inside a record: a key if a colon follows
  let keyEnd = -1
  let typeValueNext = false
  for (; i < json.length; i++) {
    const c = json[i]
    if (c === 0x22) {
      const close = endOfString(json, i)
      if (close === -1) return 'invalid'
      if (depth === 2) {
        keyStart = i
        keyEnd = close + 1
      }
      typeValueNext = false
      i = close
    } else if (c === 0x7b || c === 0x5b) {
      depth++
      if (depth === 2) {
        recordStart = c === 0x7b ? i : -1
        isMeta = false
      }
      typeValueNext = false
    } else if (c === 0x7d || c === 0x5d) {
      depth--
      if (depth === 1 && recordStart !== -1) {
        if (isMeta && found.push({ start: recordStart, end: i + 1 }) > limit) return 'too many'
        recordStart = -1
      }
      if (depth === 0) return skipSpace(json, i + 1) === json.length ? found : 'invalid'
      if (depth < 0) return 'invalid'
      typeValueNext = false
    } else if (c === 0x3a) {
      typeValueNext = depth === 2 && recordStart !== -1 && isTypeKey(json, keyStart, keyEnd)
    } else if (typeValueNext && !isSpace(c)) {
      // The value of a record's `type`: 4 for a Meta record (4.0 or 4e0 are not what JSON.stringify writes).
      if (c === 0x34 && !isNumberPart(json[i + 1])) isMeta = true
      typeValueNext = false
    }
  }
  return 'invalid'
}

const TYPE_KEY = [0x22, 0x74, 0x79, 0x70, 0x65, 0x22] // "type"

function isTypeKey(json: Uint8Array, start: number, end: number): boolean {
  if (end - start !== TYPE_KEY.length) return false
  for (let k = 0; k < TYPE_KEY.length; k++) if (json[start + k] !== TYPE_KEY[k]) return false
  return true
}

/** The index of the quote that closes the string opening at `open`, or -1. */
function endOfString(json: Uint8Array, open: number): number {
  let at = open
  for (;;) {
    at = json.indexOf(0x22, at + 1)
    if (at === -1) return -1
    let backslashes = 0
    while (json[at - 1 - backslashes] === 0x5c) backslashes++
    if (backslashes % 2 === 0) return at
  }
}

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
const isNumberPart = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d)

function skipSpace(bytes: Uint8Array, from: number): number {
  let i = from
  while (isSpace(bytes[i])) i++
  return i
}

function endOfLine(bytes: Uint8Array, from: number): number {
  const end = bytes.indexOf(NEWLINE, from)
  return end === -1 ? bytes.length : end
}

/** One JSON object (an envelope's or an item's header line); undefined for anything else. */
export function parseObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** `bytes` with each edit's range replaced (edits in order, not overlapping). */
function splice(bytes: Uint8Array, edits: Edit[]): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = []
  let at = 0
  for (const edit of edits) {
    parts.push(bytes.subarray(at, edit.start), edit.bytes)
    at = edit.end
  }
  parts.push(bytes.subarray(at))
  return Buffer.concat(parts)
}
