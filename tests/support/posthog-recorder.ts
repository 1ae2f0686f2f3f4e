// A stand-in for PostHog's ingestion API: records every event that arrives, decoding the
// encodings the SDKs use (gzip, base64 form bodies, plain JSON), and answers /flags with the
// values it is given, with a 500, or not at all. Never talks to the internet.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'

/** `uuid` is the event's own ID, the same on every delivery of it: PostHog keeps one event per uuid. */
export type RecordedEvent = {
  event: string
  properties: Record<string, unknown>
  distinct_id?: string
  uuid?: string
  path: string
}

/** `userAgent` tells the server's posthog-node (Node's fetch) from posthog-js forwarded by /ingest (the browser's). */
/** `traceHeaders`: which trace-propagation headers it carried (none should reach a third party). */
export type RecordedRequest = {
  method: string
  path: string
  cookie?: string
  userAgent?: string
  traceHeaders: string[]
}

const TRACE_HEADERS = ['sentry-trace', 'baggage', 'traceparent', 'tracestate']

export type PostHogRecorder = {
  url: string
  events: RecordedEvent[]
  /** Every decoded body received, to search for values that must never arrive. */
  bodies: string[]
  /** Every request, with the Cookie header it carried, if any (/ingest must forward none). */
  requests: RecordedRequest[]
  /** How long every successful answer is held (RecorderOptions.delayMs); may be changed between requests. */
  delayMs: number
  close: () => Promise<void>
}

function decode(raw: Buffer, request: http.IncomingMessage): unknown {
  const url = new URL(request.url ?? '/', 'http://recorder')
  let body = raw
  if (
    request.headers['content-encoding'] === 'gzip' ||
    url.searchParams.get('compression') === 'gzip-js' ||
    (raw[0] === 0x1f && raw[1] === 0x8b)
  ) {
    body = gunzipSync(raw)
  }
  let text = body.toString('utf8')
  if (text.startsWith('data=')) {
    text = decodeURIComponent(text.slice(5).replace(/\+/g, ' '))
    if (!text.startsWith('{') && !text.startsWith('[')) text = Buffer.from(text, 'base64').toString('utf8')
  }
  return text ? JSON.parse(text) : undefined
}

function eventsOf(payload: unknown): Omit<RecordedEvent, 'path'>[] {
  if (Array.isArray(payload)) return payload.flatMap(eventsOf)
  if (!payload || typeof payload !== 'object') return []
  const object = payload as Record<string, unknown>
  if (Array.isArray(object.batch)) return object.batch.flatMap(eventsOf)
  if (typeof object.event === 'string') {
    const properties = (object.properties as Record<string, unknown>) ?? {}
    // posthog-node sends distinct_id beside the properties, posthog-js inside them.
    const distinctId = (object.distinct_id ?? properties.distinct_id) as string | undefined
    const uuid = typeof object.uuid === 'string' ? object.uuid : undefined
    return [{ event: object.event, properties, distinct_id: distinctId, uuid }]
  }
  return []
}

type FlagsBehaviour = Record<string, boolean> | 'error' | 'hang'

export type RecorderOptions = {
  /**
   * What /flags answers: these values (default: no flags), a 500, or nothing ever ('hang');
   * or, given the distinct ID asked about, one of those.
   */
  flags?: FlagsBehaviour | ((distinctId: string) => FlagsBehaviour)
  /** Holds every successful answer this long (to keep requests in flight together). */
  delayMs?: number
}

/** A /flags (v2) answer as PostHog sends it. */
function flagsAnswer(values: Record<string, boolean>) {
  const flags = Object.fromEntries(
    Object.entries(values).map(([key, enabled], i) => [
      key,
      {
        key,
        enabled,
        variant: null,
        reason: { code: 'condition_match', description: 'Matched condition set 1' },
        metadata: { id: i + 1, version: 1 },
      },
    ]),
  )
  return JSON.stringify({ flags, errorsWhileComputingFlags: false, requestId: 'recorder-request' })
}

export async function startPostHogRecorder({
  flags = {},
  delayMs = 0,
}: RecorderOptions = {}): Promise<PostHogRecorder> {
  const events: RecordedEvent[] = []
  const bodies: string[] = []
  const requests: RecordedRequest[] = []
  const held = new Set<NodeJS.Timeout>() // delayed answers, dropped by close()
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://recorder').pathname
      requests.push({
        method: request.method ?? 'GET',
        path,
        ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
        traceHeaders: TRACE_HEADERS.filter((name) => request.headers[name] !== undefined),
      })
      let payload: unknown
      if (request.method === 'POST') {
        try {
          payload = decode(Buffer.concat(chunks), request)
          bodies.push(JSON.stringify(payload))
          for (const event of eventsOf(payload)) events.push({ ...event, path })
        } catch {
          // a body that is not JSON is not an event
        }
      }
      const answer = (status: number, body: string) => {
        const send = () => {
          response.writeHead(status, { 'content-type': 'application/json' })
          response.end(body)
        }
        if (status === 200 && recorder.delayMs > 0) {
          const timer = setTimeout(() => {
            held.delete(timer)
            send()
          }, recorder.delayMs)
          held.add(timer)
        } else send()
      }
      if (path.startsWith('/flags') || path.startsWith('/decide')) {
        const asked = String((payload as { distinct_id?: unknown } | undefined)?.distinct_id ?? '')
        const behaviour = typeof flags === 'function' ? flags(asked) : flags
        if (behaviour === 'hang') return // never answers; close() drops the connection
        if (behaviour === 'error') return answer(500, '{"type":"server_error","detail":"recorder says no"}')
        return answer(200, flagsAnswer(behaviour))
      }
      answer(200, '{"status":1}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const recorder: PostHogRecorder = {
    url: `http://127.0.0.1:${port}`,
    events,
    bodies,
    requests,
    delayMs,
    close: () =>
      new Promise((resolve) => {
        for (const timer of held) clearTimeout(timer)
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return recorder
}
