// How the Node server's Sentry SDK sends (sentry.server.config.ts loads it, only when the SDK
// starts, and passes it to startErrorTracking). Node only: it needs node:http, and the edge runtime loads lib/errors too.
//
// The SDK's own Node transport gives a request no deadline: its agent's socket timeout only
// emits an event nobody listens to. A Sentry that accepts a connection and never answers keeps
// each send open for ever; the agent runs 30 at a time, so after 30 such sends nothing leaves the
// process again, even once Sentry is back (scenario 3, docs/reliability.md). Here a send that
// hears nothing for SEND_IDLE_TIMEOUT_MS is abandoned: the SDK counts it as a network error and
// its queue (64 envelopes, overflow dropped and counted by the SDK) keeps moving.
import http from 'node:http'
import https from 'node:https'
import 'server-only'
import * as Sentry from '@sentry/nextjs'

/** How long a send may go without a byte from Sentry before it is abandoned. */
export const SEND_IDLE_TIMEOUT_MS = 5000

type HttpModule = Pick<typeof http, 'request'>

/** `module`'s request(), each request abandoned (destroyed with an error) after `idleMs` of silence. */
export function withIdleTimeout(module: HttpModule, idleMs: number): HttpModule {
  return {
    request: ((...args: Parameters<typeof http.request>) => {
      const request = module.request(...args)
      request.setTimeout(idleMs, () =>
        request.destroy(Object.assign(new Error(`Sentry did not answer within ${idleMs} ms`), { code: 'ETIMEDOUT' })),
      )
      return request
    }) as typeof http.request,
  }
}

type TransportFactory = NonNullable<Sentry.NodeOptions['transport']>

/**
 * Sentry's Node transport with a deadline on every send, telling `onSent` after each send
 * whether Sentry took it (`true`: it answered below 500) or not (`false`: a 5xx, no answer,
 * refused). A send the SDK skipped (its queue full, rate-limited) tells nothing.
 */
export function sentryNodeTransport({
  onSent = () => {},
  idleTimeoutMs = SEND_IDLE_TIMEOUT_MS,
}: { onSent?: (ok: boolean) => void; idleTimeoutMs?: number } = {}): TransportFactory {
  return (options) => {
    const native = new URL(options.url).protocol === 'https:' ? https : http
    const transport = Sentry.makeNodeTransport({ ...options, httpModule: withIdleTimeout(native, idleTimeoutMs) })
    return {
      ...transport,
      send: (envelope) =>
        transport.send(envelope).then(
          (response) => {
            if (typeof response.statusCode === 'number') onSent(response.statusCode < 500)
            return response
          },
          (error: unknown) => {
            onSent(false)
            throw error
          },
        ),
    }
  }
}
