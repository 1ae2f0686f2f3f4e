// A request body that counts what was pulled from it, for the forwarders' tests: a refusal
// "before reading" must leave it at zero, a capped read must stop near the cap.
export function countedBody(size: number, declared?: number) {
  const seen = { bytes: 0 }
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = Math.min(64 * 1024, size - seen.bytes)
        if (chunk <= 0) return controller.close()
        seen.bytes += chunk
        controller.enqueue(new Uint8Array(chunk))
      },
    },
    { highWaterMark: 0 },
  )
  return { body, seen, headers: declared === undefined ? {} : { 'content-length': String(declared) } }
}
