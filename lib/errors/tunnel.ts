// The same-origin tunnel for browser events (app/monitoring/route.ts). Sentry's built-in
// `tunnelRoute` only knows sentry.io; this forwards to whatever host the DSN names — sentry.io,
// a self-hosted Sentry (with a path prefix or not) or GlitchTip. It is not an open relay: only
// envelopes for the configured DSN pass, bodies are capped, and nothing of the visitor's
// request (cookies, IP, headers) goes upstream. Replay recordings have the page address in their
// full snapshots scrubbed here (replay-recording.ts), the one place no browser hook reaches.
// Node only (node:zlib): app/monitoring/route.ts imports this file itself, and lib/errors's
// index, which the edge runtime loads too, does not export it.
import { closeIfUnread, readCapped, refuseByDeclaredLength, upstreamFailureStatus } from '../http'
import { parseDsn, type ParsedDsn } from '../env'
import { getRequestLogger } from '../logs'
import { perProcess } from '../singleton'
import { MAX_RECORDING_BYTES, parseObject, scrubReplayRecordings } from './replay-recording'
import { MAX_ENVELOPE_BYTES } from './settings'

export const UPSTREAM_TIMEOUT_MS = 3000
/** The whole envelope must arrive within this long; a slow-drip body holds the handler no longer. */
export const BODY_TIMEOUT_MS = 10_000

/**
 * `sentry_tunnel_replay_refused` lines written per process per minute. Anyone with the DSN (it is
 * in the page) can post bad recordings in a loop, and a burst of real errors meets the 429: past
 * this many, refusals are only counted, and the next line written says how many were not
 * (`unlogged`), so the warnings stay readable and the count is not lost.
 */
export const REPLAY_REFUSAL_LINES_PER_MINUTE = 10
// Per process, not per module copy (lib/singleton.ts): the bound is on what the process writes.
const refusalLines = perProcess('replayRefusalLines', () => ({ windowStartedAt: 0, written: 0, unlogged: 0 }))

/**
 * Says why a replay recording was refused (400, 413, 429): otherwise an operator sees replays
 * missing in Sentry and nothing else. The status and the tunnel's own reason only, never the
 * envelope, the DSN or an address: the payload is what could not be scrubbed.
 */
async function logReplayRefusal(status: number, reason: string): Promise<void> {
  const now = Date.now()
  if (now - refusalLines.windowStartedAt >= 60_000) {
    refusalLines.windowStartedAt = now
    refusalLines.written = 0
  }
  if (refusalLines.written >= REPLAY_REFUSAL_LINES_PER_MINUTE) {
    refusalLines.unlogged++
    return
  }
  refusalLines.written++
  const unlogged = refusalLines.unlogged
  refusalLines.unlogged = 0
  // Worth a look in business hours: replays are being lost, error events are not.
  const log = await getRequestLogger()
  log.warn(
    { kind: 'sentry_tunnel', status, reason, ...(unlogged > 0 ? { unlogged } : {}) },
    'sentry_tunnel_replay_refused',
  )
}

export type TunnelOptions = {
  /** The configured DSN; without one the tunnel does not exist (404). */
  dsn: string | undefined
  timeoutMs?: number
  maxBytes?: number
  bodyTimeoutMs?: number
  /** What a replay recording may inflate to before it is refused (413). */
  maxRecordingBytes?: number
}

/** What happened: the upstream's status when forwarded, else why not (400, 404, 405, 408, 413, 415, 429, 502, 504). */
export type TunnelOutcome = { forwarded: true; status: number } | { forwarded: false; status: number; reason: string }

type Result = { response: Response; outcome: TunnelOutcome }

const plain = (status: number, reason: string, headers: Record<string, string> = {}): Result => ({
  response: new Response(reason, {
    status,
    headers: { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', ...headers },
  }),
  outcome: { forwarded: false, status, reason },
})

/** The ingest endpoint for a DSN — sentry.io, self-hosted Sentry and GlitchTip alike. */
export function envelopeUrlFor(dsn: ParsedDsn): string {
  return `${dsn.protocol}//${dsn.host}${dsn.pathPrefix}/api/${dsn.projectId}/envelope/`
}

/** Same project, same key, same ingest host: compared parsed, so formatting does not matter. */
export function isSameDsn(a: ParsedDsn, b: ParsedDsn): boolean {
  return (
    a.protocol === b.protocol &&
    a.publicKey === b.publicKey &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.pathPrefix === b.pathPrefix &&
    a.projectId === b.projectId
  )
}

/** The `dsn` of an envelope's first line (its header); undefined when there is none. */
export function envelopeDsn(body: Uint8Array): string | undefined {
  const newline = body.indexOf(0x0a)
  const dsn = parseObject(newline === -1 ? body : body.subarray(0, newline))?.dsn
  return typeof dsn === 'string' ? dsn : undefined
}

/**
 * What a tunnel outcome says of Sentry: `up` when it answered (a 4xx or a 429 is Sentry
 * answering), `down` when it answered 5xx, could not be reached or did not answer in time,
 * nothing when the envelope was refused before Sentry was asked.
 */
export function upstreamStateOf(outcome: TunnelOutcome): 'up' | 'down' | undefined {
  if (outcome.forwarded) return outcome.status >= 500 ? 'down' : 'up'
  return outcome.status === 502 || outcome.status === 504 ? 'down' : undefined
}

const FORWARDED_RESPONSE_HEADERS = ['content-type', 'retry-after', 'x-sentry-rate-limits']

/**
 * Validates one browser envelope and forwards it to the DSN's ingest endpoint. Checks in this
 * order, the first four before a byte of the body is read: a DSN (else 404), POST (else 405), a
 * declared length within the cap (else 413; 400 if it is not a length), no content encoding
 * (else 415); then the body is read within the cap and a deadline (413, 408; 400 if it breaks),
 * and its header must name the configured DSN (400). Last, the address in each replay
 * recording is scrubbed (replay-recording.ts): a recording that cannot be read is refused
 * (400), one that inflates past the cap too (413), one that arrives while MAX_RECORDINGS_AT_ONCE
 * are being read gets 429, and nothing of that envelope is forwarded; each of these refusals is
 * logged (`sentry_tunnel_replay_refused`, at most REPLAY_REFUSAL_LINES_PER_MINUTE a minute).
 */
export async function forwardEnvelope(request: Request, options: TunnelOptions): Promise<Result> {
  const configured = parseDsn(options.dsn)
  const unread = closeIfUnread(request)
  if (!configured) return plain(404, 'error tracking is not configured', unread)
  if (request.method !== 'POST') return plain(405, 'POST envelopes here', { ...unread, Allow: 'POST' })
  const maxBytes = options.maxBytes ?? MAX_ENVELOPE_BYTES
  const declared = refuseByDeclaredLength(request, maxBytes)
  if (declared) return plain(declared.status, declared.status === 413 ? 'envelope too large' : declared.reason, unread)
  const encoding = request.headers.get('content-encoding')
  if (encoding && encoding !== 'identity') return plain(415, 'compressed envelopes are not accepted', unread)
  const read = await readCapped(request, { maxBytes, timeoutMs: options.bodyTimeoutMs ?? BODY_TIMEOUT_MS })
  if (!read.ok) return plain(read.status, read.status === 413 ? 'envelope too large' : read.reason, unread)
  const body = read.body
  const dsn = parseDsn(envelopeDsn(body))
  if (!dsn) return plain(400, 'not an envelope with a DSN')
  if (!isSameDsn(dsn, configured)) return plain(400, 'envelope is for another DSN')
  const scrubbed = await scrubReplayRecordings(body, options.maxRecordingBytes ?? MAX_RECORDING_BYTES)
  if (!scrubbed.ok) {
    await logReplayRefusal(scrubbed.status, scrubbed.reason)
    // A 429 names the replay category, so the SDK holds back replays only, not error events.
    const retry: Record<string, string> =
      scrubbed.status === 429 ? { 'Retry-After': '10', 'X-Sentry-Rate-Limits': '10:replay' } : {}
    return plain(scrubbed.status, scrubbed.reason, retry)
  }

  let upstream: Response
  let text: string
  try {
    // One deadline for connecting, the answer and its body: a slow upstream never holds the request.
    const signal = AbortSignal.timeout(options.timeoutMs ?? UPSTREAM_TIMEOUT_MS)
    upstream = await fetch(envelopeUrlFor(configured), {
      method: 'POST',
      body: scrubbed.body,
      headers: {
        'Content-Type': 'application/x-sentry-envelope',
        // Sentry reads the key from the envelope header; GlitchTip wants it here.
        'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${configured.publicKey}, sentry_client=signalbox-tunnel/1`,
      },
      signal,
      redirect: 'error',
      cache: 'no-store',
    })
    text = await upstream.text()
  } catch (error) {
    return upstreamFailureStatus(error) === 504
      ? plain(504, 'error tracking did not answer in time')
      : plain(502, 'error tracking is unreachable')
  }
  const headers = new Headers({ 'Cache-Control': 'no-store' })
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name)
    if (value) headers.set(name, value)
  }
  return {
    response: new Response(text, { status: upstream.status, headers }),
    outcome: { status: upstream.status, forwarded: true },
  }
}
