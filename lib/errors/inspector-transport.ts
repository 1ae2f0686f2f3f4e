// Development: what the server's Sentry SDK sends also goes to the local inspector (lib/inspect),
// each event filed under its `request_id` tag exactly as it leaves the SDK (after beforeSend's
// scrubbing). Without a DSN it is the only destination: the SDK runs with INSPECTOR_DSN, which
// this transport never dials, so the first day shows the error events it would send.
import * as Sentry from '@sentry/nextjs'
import { recordForInspector } from '../inspect'

/** A well-formed DSN for a project that does not exist; only the local transport ever sees it. */
export const INSPECTOR_DSN = 'http://local@localhost/0'

type TransportFactory = NonNullable<Sentry.NodeOptions['transport']>
type Envelope = Parameters<ReturnType<TransportFactory>['send']>[0]

function recordEnvelope(envelope: Envelope): void {
  const [, items] = envelope
  for (const [header, payload] of items) {
    if (header.type !== 'event') continue
    const event = payload as Sentry.Event
    const requestId = event.tags?.request_id
    recordForInspector(typeof requestId === 'string' ? requestId : undefined, 'error', {
      destination: 'sentry',
      event: event as Record<string, unknown>,
    })
  }
}

/**
 * `inner` (the Node server's send to a real DSN) with every event recorded locally first, or,
 * without `inner`, a transport that records and sends nothing.
 */
export function inspectingTransport(inner?: TransportFactory): TransportFactory {
  return (options) => {
    const next = inner?.(options)
    return {
      send(envelope) {
        recordEnvelope(envelope)
        return next ? next.send(envelope) : Promise.resolve({ statusCode: 200 })
      },
      flush: (timeout) => (next ? next.flush(timeout) : Promise.resolve(true)),
    }
  }
}
