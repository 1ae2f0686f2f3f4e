// What the route handlers that forward a browser's request upstream share (the Sentry tunnel
// at /monitoring, the PostHog forwarder at /ingest): a body read with a cap, and the status
// that says why the upstream did not answer.

/** How far past the cap a refused body is still read (and thrown away) before the connection is cut. */
const DRAIN_FACTOR = 8

/**
 * The body, or undefined when it is larger than `maxBytes`. An oversized body is drained
 * without being kept (up to a hard limit) so the client gets the 413 rather than a reset.
 */
export async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!request.body) return new Uint8Array()
  const declared = Number(request.headers.get('content-length'))
  let tooLarge = Number.isFinite(declared) && declared > maxBytes
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      tooLarge = true
      chunks.length = 0
    }
    if (total > maxBytes * DRAIN_FACTOR) {
      await reader.cancel().catch(() => {})
      break
    }
    if (!tooLarge) chunks.push(value)
  }
  if (tooLarge) return undefined
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/** 504 when the upstream took longer than the request's timeout signal allowed, else 502. */
export function upstreamFailureStatus(error: unknown): 502 | 504 {
  const name = (error as Error | undefined)?.name
  return name === 'TimeoutError' || name === 'AbortError' ? 504 : 502
}
