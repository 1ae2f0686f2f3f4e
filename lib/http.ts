// What the route handlers that read a body share (the Sentry tunnel at /monitoring, the PostHog
// forwarder at /ingest, the Web Vitals receiver, POST /api/customers): one way to read a body
// that never reads more than the cap allows nor waits longer than a deadline; and, for the two
// forwarders, the status that says why the upstream did not answer.

export type BodyLimits = {
  /** Bodies above this many bytes are refused (413). */
  maxBytes: number
  /** The whole body must arrive within this long (408): a body sent a byte a second holds nothing for long. */
  timeoutMs: number
}

/** Why a body was not read: the status to answer with and a reason safe to show the client. */
export type BodyRefusal = { ok: false; status: 400 | 408 | 413; reason: string }

export type BodyRead = { ok: true; body: Uint8Array<ArrayBuffer> } | BodyRefusal

const TOO_LARGE: BodyRefusal = { ok: false, status: 413, reason: 'body too large' }

/**
 * The body's declared length: a number, undefined when none is declared (chunked), or
 * 'invalid'. Node's HTTP parser already rejects malformed lengths; other runtimes may not.
 */
export function declaredLength(request: Request): number | undefined | 'invalid' {
  const header = request.headers.get('content-length')
  if (header === null) return undefined
  return /^\d{1,15}$/.test(header.trim()) ? Number(header.trim()) : 'invalid'
}

/** A refusal decided from the headers alone, before a byte of the body is read; undefined when reading may start. */
export function refuseByDeclaredLength(request: Request, maxBytes: number): BodyRefusal | undefined {
  const declared = declaredLength(request)
  if (declared === 'invalid') return { ok: false, status: 400, reason: 'invalid Content-Length' }
  if (declared !== undefined && declared > maxBytes) return TOO_LARGE
  return undefined
}

/**
 * The body, read only while it stays within `maxBytes` (and within its own declared length)
 * and arrives within `timeoutMs`. A declared length over the cap is refused before reading; a
 * body that turns out longer is refused after at most one chunk past the limit, and the read is
 * cancelled rather than drained. The caller answers the refusal with `Connection: close`, so
 * the rest of the body is not read for the app: the Node hook's lingering close
 * (lib/request/lingering-close.ts) drops at most 1 MiB more, so the client can read the answer.
 */
export async function readCapped(request: Request, { maxBytes, timeoutMs }: BodyLimits): Promise<BodyRead> {
  const refused = refuseByDeclaredLength(request, maxBytes)
  if (refused) return refused
  if (!request.body) return { ok: true, body: new Uint8Array() }
  const declared = declaredLength(request) as number | undefined
  // A body longer than it said it would be is lying: stop where it should have ended.
  const limit = Math.min(maxBytes, declared ?? maxBytes)

  const reader = request.body.getReader()
  const stop = () => void reader.cancel().catch(() => {})
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')))
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline])
      if (next === 'timeout') {
        stop()
        return { ok: false, status: 408, reason: 'body not received in time' }
      }
      if (next.done) break
      total += next.value.byteLength
      if (total > limit) {
        stop()
        return TOO_LARGE
      }
      chunks.push(next.value)
    }
  } catch {
    // The client went away or the stream broke: nothing to forward, nothing worth a stack.
    return { ok: false, status: 400, reason: 'body could not be read' }
  } finally {
    clearTimeout(timer)
  }
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { ok: true, body }
}

/**
 * The header for a response that refuses a request before (or while) reading its body: the rest
 * of the body may still be arriving and stays unread, so the connection ends with the answer
 * rather than the server draining it to reuse the connection (briefly lingering first, so a
 * client still sending gets the answer rather than a reset: lib/request/lingering-close.ts).
 */
export function closeIfUnread(request: Request): { Connection?: 'close' } {
  return request.body ? { Connection: 'close' } : {}
}

/** 504 when the upstream took longer than the request's timeout signal allowed, else 502. */
export function upstreamFailureStatus(error: unknown): 502 | 504 {
  const name = (error as Error | undefined)?.name
  return name === 'TimeoutError' || name === 'AbortError' ? 504 : 502
}
