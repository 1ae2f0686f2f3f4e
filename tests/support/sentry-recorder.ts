// A stand-in for a Sentry ingest host: a plain HTTP server on 127.0.0.1 that accepts what the
// real SDKs send (envelopes, and the legacy store endpoint), decodes it (gzip/deflate/brotli
// bodies, zlib-compressed replay recordings) and keeps it for assertions. Point a DSN of
// `http://publickey@127.0.0.1:<port>/1` at it. Used by Vitest and Playwright alike.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { spansFromOtlpJson, type ReceivedSpan } from './otlp-receiver'

export type RecordedItem = {
  type: string
  header: Record<string, unknown>
  /** Parsed JSON when the payload is JSON, else the decoded text (replay recordings are inflated). */
  payload: unknown
  text: string
}

export type RecordedEnvelope = {
  path: string
  requestHeaders: http.IncomingHttpHeaders
  header: Record<string, unknown>
  items: RecordedItem[]
}

/** The fields of an error or transaction event that the tests look at. */
export type RecordedEvent = {
  event_id?: string
  type?: string
  message?: string
  transaction?: string
  tags?: Record<string, unknown>
  user?: Record<string, unknown>
  request?: {
    url?: string
    headers?: Record<string, string>
    query_string?: unknown
    data?: unknown
    cookies?: unknown
  }
  exception?: { values?: Array<{ type?: string; value?: string; mechanism?: { type?: string; handled?: boolean } }> }
  contexts?: Record<string, unknown>
  [key: string]: unknown
}

export type SentryRecorder = {
  port: number
  /** A DSN pointing at this recorder. */
  dsn: string
  /** Every HTTP request that reached the recorder, accepted or not. */
  requests: Array<{ method: string; path: string }>
  envelopes: RecordedEnvelope[]
  /** Spans posted to the project's OTLP traces endpoint (what OpenTelemetry sends Sentry). */
  otlpSpans: ReceivedSpan[]
  /** Every item of these types across all envelopes, in arrival order. */
  items: (...types: string[]) => RecordedItem[]
  /** Error events (`event` items, and bodies posted to the store endpoint). */
  errorEvents: () => RecordedEvent[]
  /** Error events whose first exception message contains `text`. */
  eventsWithMessage: (text: string) => RecordedEvent[]
  /** Everything received, decoded, as one string: for "this secret never arrived" checks. */
  allText: () => string
  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  waitFor: (predicate: () => boolean, timeoutMs?: number) => Promise<void>
  clear: () => void
  close: () => Promise<void>
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'gzip') return gunzipSync(body)
  if (encoding === 'deflate') return inflateSync(body)
  if (encoding === 'br') return brotliDecompressSync(body)
  return body
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A replay recording is `{"segment_id":n}\n` followed by JSON, zlib-compressed or not. */
function decodeReplayRecording(payload: Buffer): string {
  const newline = payload.indexOf(0x0a)
  const head = newline === -1 ? '' : payload.subarray(0, newline + 1).toString('utf8')
  const rest = newline === -1 ? payload : payload.subarray(newline + 1)
  try {
    return head + inflateSync(rest).toString('utf8')
  } catch {
    return head + rest.toString('utf8')
  }
}

export function parseEnvelope(body: Buffer): { header: Record<string, unknown>; items: RecordedItem[] } {
  let offset = 0
  const readLine = (): Buffer => {
    const end = body.indexOf(0x0a, offset)
    const line = body.subarray(offset, end === -1 ? body.length : end)
    offset = end === -1 ? body.length : end + 1
    return line
  }
  const header = (parseJson(readLine().toString('utf8')) ?? {}) as Record<string, unknown>
  const items: RecordedItem[] = []
  while (offset < body.length) {
    const headerLine = readLine().toString('utf8').trim()
    if (!headerLine) continue
    const itemHeader = (parseJson(headerLine) ?? {}) as Record<string, unknown>
    let payload: Buffer
    if (typeof itemHeader.length === 'number') {
      payload = body.subarray(offset, offset + itemHeader.length)
      offset += itemHeader.length
      if (body[offset] === 0x0a) offset += 1
    } else {
      payload = readLine()
    }
    const type = String(itemHeader.type ?? 'unknown')
    const text = type === 'replay_recording' ? decodeReplayRecording(payload) : payload.toString('utf8')
    items.push({ type, header: itemHeader, payload: parseJson(text) ?? text, text })
  }
  return { header, items }
}

export async function startSentryRecorder({ projectId = '1', publicKey = 'publickey' } = {}): Promise<SentryRecorder> {
  const envelopes: RecordedEnvelope[] = []
  const otlpSpans: ReceivedSpan[] = []
  const requests: SentryRecorder['requests'] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/'
      requests.push({ method: req.method ?? 'GET', path })
      if (req.method === 'POST' && path === `/api/${projectId}/integration/otlp/v1/traces/`) {
        otlpSpans.push(
          ...spansFromOtlpJson(decodeBody(Buffer.concat(chunks), req.headers['content-encoding']).toString('utf8')),
        )
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
        return
      }
      const match = /\/api\/(\d+)\/(envelope|store)\/?$/.exec(path)
      if (req.method !== 'POST' || !match || match[1] !== projectId) {
        res.writeHead(404).end()
        return
      }
      try {
        const body = decodeBody(Buffer.concat(chunks), req.headers['content-encoding'])
        if (match[2] === 'envelope') {
          envelopes.push({ path, requestHeaders: req.headers, ...parseEnvelope(body) })
        } else {
          const text = body.toString('utf8')
          envelopes.push({
            path,
            requestHeaders: req.headers,
            header: {},
            items: [{ type: 'event', header: { type: 'event' }, payload: parseJson(text) ?? text, text }],
          })
        }
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
      } catch (error) {
        res.writeHead(400).end(String(error))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const items = (...types: string[]) =>
    envelopes.flatMap((envelope) => envelope.items.filter((item) => types.includes(item.type)))
  const errorEvents = () =>
    items('event')
      .map((item) => item.payload)
      .filter((payload): payload is RecordedEvent => typeof payload === 'object' && payload !== null)
  return {
    port,
    dsn: `http://${publicKey}@127.0.0.1:${port}/${projectId}`,
    requests,
    envelopes,
    otlpSpans,
    items,
    errorEvents,
    eventsWithMessage: (text) =>
      errorEvents().filter((event) => event.exception?.values?.some((value) => value.value?.includes(text))),
    allText: () =>
      envelopes
        .map((envelope) =>
          [
            JSON.stringify(envelope.header),
            JSON.stringify(envelope.requestHeaders),
            ...envelope.items.map((item) => item.text),
          ].join('\n'),
        )
        .join('\n'),
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs
      while (!predicate()) {
        if (Date.now() > deadline)
          throw new Error(`the Sentry recorder did not receive what was expected within ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    clear: () => {
      envelopes.length = 0
      otlpSpans.length = 0
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
