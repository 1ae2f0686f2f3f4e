// The Sentry adapter for server code (Node server and edge): with the Node transport
// (sentry-node-transport.ts) and the inspector's (inspector-transport.ts), the only server code
// that imports the SDK, and itself imported only by ./server.ts, with import(), when there is
// somewhere to send events. App code calls `captureException`, `withActionInstrumentation`
// (actions.ts) and `setRequestUser` (user.ts) through lib/errors, never `@sentry/nextjs`.
import 'server-only'
import * as Sentry from '@sentry/nextjs'
import type { Instrumentation } from 'next'
import { headers } from 'next/headers'
import { env, parseEnv } from '../env'
import { INSPECTOR_ENABLED } from '../inspect'
import { REQUEST_ID_HEADER, currentRequestContext, isValidRequestId, noteSpanStarted } from '../request'
import { openTelemetryWillTrace } from '../traces'
import { INSPECTOR_DSN, inspectingTransport } from './inspector-transport'
import { scrubBreadcrumb, scrubEvent } from './scrub-event'
import {
  DEFAULT_TRACES_SAMPLE_RATE,
  dataCollection,
  TUNNEL_PATH,
  sentryEnvironment,
  sentryRelease,
  spotlightFrom,
  tracingOptions,
} from './settings'

type RequestErrorArgs = Parameters<Instrumentation.onRequestError>
export type ErrorContext = { tags?: Record<string, string>; extra?: Record<string, unknown> }

/** The request ID of the work in progress, from the Node request context (callers fall back to the headers). */
function currentRequestId(): string | undefined {
  return currentRequestContext()?.requestId
}

export type SentryTransport = NonNullable<Sentry.NodeOptions['transport']>

/**
 * Starts the SDK; ./server.ts calls it once per server runtime, only when there is somewhere to
 * send events (a DSN, Spotlight, or the local inspector). In development the events also go to
 * the local inspector, scrubbed as sent; without a DSN only there. `transport`: how events are
 * sent, when not the SDK's own way (the Node server's, with a deadline: sentry-node-transport.ts).
 */
export function startSentry({ transport }: { transport?: SentryTransport } = {}): void {
  if (Sentry.getClient()) return
  const config = parseEnv()
  const dsn = config.NEXT_PUBLIC_SENTRY_DSN
  const spotlight = spotlightFrom(config.SENTRY_SPOTLIGHT, process.env.NODE_ENV)
  // With an OTLP endpoint (and in development), OpenTelemetry owns tracing (tracing.ts) and
  // Sentry links its events to the active OpenTelemetry span instead of tracing on its own: one
  // tracer provider, no span recorded twice. Sentry still gets the spans, from the OTLP exporter
  // (sentryOtlpTarget).
  const linkedToOpenTelemetry = openTelemetryWillTrace(config.OTEL_EXPORTER_OTLP_ENDPOINT)
  // Development: without a DSN, a transport that only records for the inspector; with one, the
  // Node server's sends are recorded too (the edge runtime keeps the SDK's own transport).
  const sends = !INSPECTOR_ENABLED
    ? transport
    : !dsn
      ? inspectingTransport()
      : transport && inspectingTransport(transport)

  const client = Sentry.init({
    // The local inspector's DSN is never dialled: its transport keeps every envelope in memory.
    dsn: dsn ?? (INSPECTOR_ENABLED ? INSPECTOR_DSN : undefined),
    ...(sends ? { transport: sends } : {}),
    environment: sentryEnvironment(process.env),
    release: sentryRelease(process.env),
    ...(linkedToOpenTelemetry
      ? { enableOpenTelemetrySetup: false, integrations: [Sentry.openTelemetryIntegration()] }
      : tracingOptions(config.SENTRY_TRACES_SAMPLE_RATE ?? DEFAULT_TRACES_SAMPLE_RATE)),
    // Transactions, not streamed spans: self-hosted Sentry before 26.4 and GlitchTip ingest
    // transactions only, and it keeps one scrubbing hook (beforeSendTransaction) for them.
    traceLifecycle: 'static',
    dataCollection: dataCollection(),
    spotlight,
    // No module hooks at run time: they rewrite packages as they load so that Sentry's
    // channel-based integrations can span them, but our spans come from lib/db/tracing.ts and
    // the Node hook, and inside Next's server bundle the hooks fail to register anyway, which
    // printed a "[Sentry] Failed to register..." warning at every start with a DSN. The same
    // rewrite at build time is off too (next.config.js: buildTimeInstrumentation).
    enableRuntimeChannelInjection: false,
    // No trace headers on the server's outgoing requests: they all go to third parties (PostHog,
    // through /ingest too; Sentry; GitHub), which would learn the trace and sampling decision of
    // a request, a client-chosen trace ID among them. List your own services here to trace into them.
    tracePropagationTargets: [],
    // The tunnel's own traffic is not worth a transaction per forwarded envelope.
    ignoreSpans: [new RegExp(`^POST ${TUNNEL_PATH}$`)],
    beforeSend: (event) => scrubEvent(event, currentRequestId()),
    beforeSendTransaction: (event) => scrubEvent(event, currentRequestId()),
    beforeBreadcrumb: (breadcrumb) => scrubBreadcrumb(breadcrumb),
  })
  // When Sentry traces on its own, its spans carry the request ID and the access line names
  // the trace, as with OpenTelemetry.
  client?.on('spanStart', (span) => {
    const { traceId, spanId } = span.spanContext()
    const isEntry = Sentry.getRootSpan(span) === span
    noteSpanStarted({
      traceId,
      spanId,
      isEntry,
      isServer: isEntry,
      setAttribute: (key, value) => span.setAttribute(key, value),
    })
  })
}

/**
 * Where OpenTelemetry sends Sentry its spans when it owns tracing: Sentry's OTLP endpoint for
 * the DSN. None without a DSN, or with SENTRY_TRACES_SAMPLE_RATE=0 (e.g. a GlitchTip that
 * takes no OTLP): errors are still linked to the trace.
 */
export function sentryOtlpTarget(): { url: string; headers: Record<string, string> } | undefined {
  const config = env()
  if (!config.NEXT_PUBLIC_SENTRY_DSN || config.SENTRY_TRACES_SAMPLE_RATE === 0) return undefined
  return Sentry.getOtlpTracesEndpoint(config.NEXT_PUBLIC_SENTRY_DSN)
}

/**
 * instrumentation.ts `onRequestError`: every error Next catches while rendering, in route
 * handlers, server actions and the proxy. Tagged with the request ID from the request headers
 * and the digest the error page shows, so either finds the event.
 */
export function captureRequestError(...[error, request, context]: RequestErrorArgs): void {
  if (!Sentry.getClient()) return
  const requestId = request.headers[REQUEST_ID_HEADER]
  const digest = (error as { digest?: unknown } | null)?.digest
  Sentry.withScope((scope) => {
    if (isValidRequestId(requestId)) scope.setTag('request_id', requestId)
    if (typeof digest === 'string') scope.setTag('digest', digest)
    Sentry.captureRequestError(error, request, context)
  })
}

/**
 * For when the server stops: sends the events still queued and closes the client, giving up
 * after `timeoutMs`. True when everything went out (or there is no client: nothing to send).
 */
export async function flushErrorTracking(timeoutMs: number): Promise<boolean> {
  if (!Sentry.getClient()) return true
  return Sentry.close(Math.max(timeoutMs, 1))
}

/** Reports an error the code handled but someone should know about. Context is scrubbed like everything else. */
export function captureException(error: unknown, context: ErrorContext = {}): void {
  if (!Sentry.getClient()) return
  Sentry.captureException(error, { tags: context.tags, extra: context.extra })
}

/**
 * Puts the signed-in user on this request's own (isolation) scope: the user ID, and the
 * organization as a tag. Called by `setRequestUser()` once the session is known; anonymous
 * requests never call it, so their events carry no user.
 */
export function setErrorTrackingUser(user: { userId: string; orgId?: string } | null): void {
  if (!Sentry.getClient()) return
  const scope = Sentry.getIsolationScope()
  scope.setUser(user ? { id: user.userId } : null)
  if (user?.orgId) scope.setTag('org_id', user.orgId)
}

/**
 * Wraps a server action so a failure is an event named after the action (`serverAction/<name>`,
 * tag `server_action`), with the request's ID, and a span when Sentry traces the request. The
 * error still reaches Next (and the error page) unchanged; form data is never recorded.
 * App code uses `withActionInstrumentation` (actions.ts), which adds the OpenTelemetry span.
 */
export function withActionErrorTracking<Args extends unknown[], Result>(
  name: string,
  action: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args: Args) => {
    if (!Sentry.getClient()) return action(...args)
    const requestHeaders = await headers()
    return Sentry.withServerActionInstrumentation(name, { headers: requestHeaders, recordResponse: false }, () => {
      const scope = Sentry.getIsolationScope()
      scope.setTag('server_action', name)
      const requestId = currentRequestId() ?? requestHeaders.get(REQUEST_ID_HEADER)
      if (isValidRequestId(requestId)) scope.setTag('request_id', requestId)
      return action(...args)
    })
  }
}
