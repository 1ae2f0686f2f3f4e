// Session Replay envelopes in the SDK's own layout (@sentry/core serializeEnvelope, Replay's
// createReplayEnvelope and prepareRecordingData), for the tunnel's tests.
import { deflateSync } from 'node:zlib'

export type RrwebEvent = { type: number; data?: Record<string, unknown>; timestamp: number }

/** A full snapshot as rrweb takes it: the Meta record with the address, then the DOM, then activity. */
export function recording(href: string): RrwebEvent[] {
  return [
    { type: 4, data: { href, width: 1280, height: 720 }, timestamp: 1_700_000_000_000 },
    {
      type: 2,
      data: {
        node: { type: 0, childNodes: [{ type: 2, tagName: 'main', attributes: { class: 'mx-auto' }, childNodes: [] }] },
        initialOffset: { left: 0, top: 0 },
      },
      timestamp: 1_700_000_000_001,
    },
    { type: 3, data: { source: 2, type: 2, id: 7, x: 10, y: 20 }, timestamp: 1_700_000_000_500 },
    { type: 5, data: { tag: 'breadcrumb', payload: { category: 'ui.click' } }, timestamp: 1_700_000_000_501 },
  ]
}

/** `{"segment_id":n}\n` and the events, deflated (zlib, as Replay's worker does) or plain JSON. */
export function recordingPayload(
  events: unknown,
  { compressed, segmentId = 0 }: { compressed: boolean; segmentId?: number },
) {
  const json = typeof events === 'string' ? events : JSON.stringify(events)
  return Buffer.concat([
    Buffer.from(`${JSON.stringify({ segment_id: segmentId })}\n`),
    compressed ? deflateSync(json) : Buffer.from(json),
  ])
}

/** A replay envelope as the SDK serialises it: header, replay_event, replay_recording with its length. */
export function replayEnvelope(dsn: string, payload: Buffer, { trailingNewline = false } = {}): Buffer {
  const header = { event_id: 'a'.repeat(32), sent_at: '2026-01-01T00:00:00.000Z', dsn }
  const replayEvent = { type: 'replay_event', replay_id: 'a'.repeat(32), segment_id: 0, urls: ['http://app.test/'] }
  return Buffer.concat([
    Buffer.from(`${JSON.stringify(header)}\n{"type":"replay_event"}\n${JSON.stringify(replayEvent)}\n`),
    Buffer.from(`${JSON.stringify({ type: 'replay_recording', length: payload.length })}\n`),
    payload,
    Buffer.from(trailingNewline ? '\n' : ''),
  ])
}

export function post(body: Buffer): Request {
  return new Request('http://app.test/monitoring', {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'Content-Type': 'application/x-sentry-envelope' },
  })
}
