// Just enough of the Chrome DevTools Protocol over a WebSocket to ask a Node process started with
// `--inspect` for a full garbage collection and its heap size afterwards. The heap a process
// reports between collections is a sawtooth (in scenario 6, 95 to 350 MiB and back every
// minute), which hides a leak of a few MiB per minute; the heap right after a full collection is
// what the process really keeps. Node 20 has no WebSocket client, and this needs one text frame
// each way, so the framing (RFC 6455) is written out here rather than added as a dependency.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import type { Socket } from 'node:net'

export type Inspector = {
  /** Sends one CDP command and resolves with its result. */
  send: (method: string, params?: Record<string, unknown>) => Promise<Record<string, unknown>>
  close: () => void
}

/** The inspector's address from the line Node prints at start-up. */
export function inspectorUrl(output: string[]): string {
  for (const line of output) {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]
    if (url) return url
  }
  throw new Error('the server printed no inspector address (started without --inspect?)')
}

function frame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8')
  const mask = randomBytes(4)
  const length = payload.length
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : length < 65_536
        ? Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0x81, 0x80 | 127]), Buffer.alloc(8)])
  if (length >= 65_536) header.writeBigUInt64BE(BigInt(length), 2)
  // A client masks every frame it sends (RFC 6455 §5.3).
  for (let i = 0; i < length; i++) payload[i]! ^= mask[i % 4]!
  return Buffer.concat([header, mask, payload])
}

export async function connectInspector(url: string): Promise<Inspector> {
  const target = new URL(url)
  const socket = await new Promise<Socket>((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    })
    request.on('upgrade', (_response, upgraded) => resolve(upgraded))
    request.on('response', (response) => reject(new Error(`the inspector answered ${response.statusCode}`)))
    request.on('error', reject)
    request.end()
  })
  const pending = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  let buffered = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    // The server's frames are unmasked; Node's inspector sends each message as one frame.
    for (;;) {
      if (buffered.length < 2) return
      let length = buffered[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffered.length < 4) return
        length = buffered.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffered.length < 10) return
        length = Number(buffered.readBigUInt64BE(2))
        offset = 10
      }
      if (buffered.length < offset + length) return
      const opcode = buffered[0]! & 0x0f
      const payload = buffered.subarray(offset, offset + length).toString('utf8')
      buffered = buffered.subarray(offset + length)
      if (opcode !== 0x1) continue
      const message = JSON.parse(payload) as { id?: number; result?: Record<string, unknown>; error?: unknown }
      const waiting = message.id === undefined ? undefined : pending.get(message.id)
      if (!waiting) continue // an event: none is enabled, none is wanted
      pending.delete(message.id!)
      if (message.error) waiting.reject(new Error(`inspector: ${JSON.stringify(message.error)}`))
      else waiting.resolve(message.result ?? {})
    }
  })
  const failAll = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error)
    pending.clear()
  }
  socket.on('error', failAll)
  socket.on('close', () => failAll(new Error('the inspector closed the connection')))
  let nextId = 1
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
        socket.write(frame(JSON.stringify({ id, method, params })))
      }),
    close: () => socket.destroy(),
  }
}

/** Collects all garbage in the inspected process, then reads its heap: bytes used, and how long the collection took. */
export async function heapAfterFullGc(inspector: Inspector): Promise<{ usedBytes: number; gcMs: number }> {
  const started = performance.now()
  await inspector.send('HeapProfiler.collectGarbage')
  const gcMs = performance.now() - started
  const usage = await inspector.send('Runtime.getHeapUsage')
  return { usedBytes: Number(usage.usedSize), gcMs }
}

type ProfileNode = {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  selfSize: number
  children: ProfileNode[]
}
export type SamplingHeapProfile = { head: ProfileNode }

/**
 * Starts V8's sampling heap profiler: from now on it remembers where a sample of allocations was
 * made, and forgets each as it is collected, so what it still holds at the end is what was kept.
 */
export async function startKeptAllocations(inspector: Inspector): Promise<void> {
  await inspector.send('HeapProfiler.startSampling', { samplingInterval: 32_768 })
}

/** After a full collection: the allocations made since startKeptAllocations that are still alive. */
export async function keptAllocations(inspector: Inspector): Promise<SamplingHeapProfile> {
  await inspector.send('HeapProfiler.collectGarbage')
  const { profile } = (await inspector.send('HeapProfiler.stopSampling')) as { profile: SamplingHeapProfile }
  return profile
}

/** The `n` stacks that kept the most bytes, each as its innermost frames (a summary for a failure message). */
export function topKeptStacks(profile: SamplingHeapProfile, n = 8, depth = 6): string[] {
  const stacks: { bytes: number; frames: string[] }[] = []
  const walk = (node: ProfileNode, path: string[]) => {
    const { functionName, url, lineNumber } = node.callFrame
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(\.next|node_modules)\//, '$1/')}:${lineNumber + 1}`
    const here = [...path, frame]
    if (node.selfSize > 0) stacks.push({ bytes: node.selfSize, frames: here.slice(-depth).reverse() })
    for (const child of node.children) walk(child, here)
  }
  walk(profile.head, [])
  return stacks
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, n)
    .map((s) => `${(s.bytes / 1024).toFixed(0)} KiB kept by ${s.frames.join(' ← ')}`)
}
