// OpenTelemetry for the Node server: the only module that imports the OpenTelemetry SDK. Loaded
// only when OTEL_EXPORTER_OTLP_ENDPOINT is set, or under `next dev` for the local inspector; then
// this provider is the one tracer provider of
// the process. Next's own spans (request, render, route handler, fetch), our spans (server
// actions, database queries) all go through it, and each sampled span is exported over
// OTLP/HTTP to the endpoint and, with a Sentry DSN (and SENTRY_TRACES_SAMPLE_RATE above 0), to
// Sentry's OTLP endpoint, so both sides
// see the same spans and nothing is instrumented twice.
import diagnostics from 'node:diagnostics_channel'
import 'server-only'
import { SpanKind, context, propagation, trace } from '@opentelemetry/api'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node'
import { recordForInspector } from '../inspect'
import { scrubData, scrubText } from '../privacy'
import { SERVICE_ENV, SERVICE_NAME, SERVICE_VERSION } from '../release'
import { noteSpanStarted } from '../request'
import { markOpenTelemetryAsTracer } from './spans'

export type OtlpTarget = { url: string; headers: Record<string, string> }

/** Where spans go: the configured OTLP collector, or Sentry's OTLP endpoint. */
export type SpanDestination = 'collector' | 'sentry'

export type TracingOptions = {
  /** Export to OTEL_EXPORTER_OTLP_ENDPOINT (false in development without one: the inspector's spans only). */
  collector?: boolean
  sentry?: OtlpTarget
  /** Development: every ended span, scrubbed as it would be exported, to the local inspector. */
  inspector?: boolean
  /** Told after each batch whether `destination` took it; start-up turns it into dependency_state. */
  onExportResult?: (destination: SpanDestination, ok: boolean) => void
  /**
   * The origins whose fetch calls carry the trace (OTEL_PROPAGATE_TO, as `scheme://host[:port]`
   * with no default port); every other destination gets no trace header. Default: none.
   */
  propagateTo?: readonly string[]
}

/** Spans of a request carry its ID; its entry span is remembered for the access line. */
const requestSpans: SpanProcessor = {
  onStart(span, parentContext) {
    const parent = trace.getSpanContext(parentContext)
    const { traceId, spanId } = span.spanContext()
    noteSpanStarted({
      traceId,
      spanId,
      isEntry: !parent || parent.isRemote === true,
      isServer: span.kind === SpanKind.SERVER,
      setAttribute: (key, value) => span.setAttribute(key, value),
    })
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
}

const milliseconds = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6

/** Development: each span of a request, as the exporters would send it, filed under the request's ID. */
const inspectorSpans: SpanProcessor = {
  onStart() {},
  onEnd(span) {
    const requestId = span.attributes.request_id
    if (typeof requestId !== 'string') return
    const sent = scrubbedSpan(span)
    const { traceId, spanId } = span.spanContext()
    recordForInspector(requestId, 'span', {
      name: sent.name,
      trace_id: traceId,
      span_id: spanId,
      parent_span_id: span.parentSpanContext?.spanId ?? null,
      kind: SpanKind[span.kind],
      start_ms: milliseconds(span.startTime),
      duration_ms: milliseconds(span.duration),
      status: span.status.code === 2 ? 'error' : 'ok', // 2: SpanStatusCode.ERROR
      attributes: sent.attributes,
    })
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
}

/**
 * What leaves the process is scrubbed like log lines and error events: secret-looking keys,
 * credentials, e-mail addresses and query-string values go (Next names its first span after the
 * raw URL, and `http.target`/`http.url` carry the query). The SDK's span is left as it is; the
 * exporter gets a view of it with the scrubbed fields in front.
 */
export function scrubbedSpan(span: ReadableSpan): ReadableSpan {
  return Object.create(span, {
    name: { value: scrubText(span.name) },
    attributes: { value: scrubData(span.attributes) },
    events: {
      value: span.events.map((event) =>
        event.attributes ? { ...event, attributes: scrubData(event.attributes) } : event,
      ),
    },
    status: { value: span.status.message ? { ...span.status, message: scrubText(span.status.message) } : span.status },
  }) as ReadableSpan
}

/** What `undici:request:create` hands over (undici-types' DiagnosticsChannel.Request, plus addHeader). */
type UndiciRequest = {
  origin?: string | URL
  headers: string | (string | string[])[]
  addHeader(name: string, value: string): unknown
}

/**
 * Fetch calls to the listed origins (our own services) carry the trace: `traceparent`,
 * `tracestate`, `baggage`. No others: a third party (PostHog through /ingest, Sentry through
 * /monitoring, GitHub) would learn each request's trace ID, its sampling decision and whatever
 * the baggage holds. Checked per request undici sends, so a listed service's redirect elsewhere
 * carries nothing. Next already wraps each fetch in a span; this adds the headers as undici
 * creates the request, inside that span. (@opentelemetry/instrumentation-undici does the same
 * but, through its base class, hooks every `require` of the process, which costs each request
 * more than the rest of tracing.)
 */
function propagateToFetch(origins: ReadonlySet<string>): void {
  if (origins.size === 0) return
  diagnostics.subscribe('undici:request:create', (message) => {
    const { request } = message as { request: UndiciRequest }
    // fetch passes the URL's origin string; undici's own API may pass a URL.
    const origin = typeof request.origin === 'string' ? request.origin : request.origin?.origin
    if (origin === undefined || !origins.has(origin)) return
    const carrier: Record<string, string> = {}
    propagation.inject(context.active(), carrier)
    if (!carrier.traceparent) return
    const existing = String(request.headers).toLowerCase()
    for (const [name, value] of Object.entries(carrier))
      if (!existing.includes(`${name}:`) && !existing.includes(`${name},`)) request.addHeader(name, value)
  })
}

export class ScrubbingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly onResult: (ok: boolean) => void = () => {},
  ) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans.map(scrubbedSpan), (result) => {
      // The exporter's own verdict, after its retries: the endpoint took the batch or it did not.
      // 0 is ExportResultCode.SUCCESS (@opentelemetry/core, which is not a direct dependency).
      this.onResult(result.code === 0)
      done(result)
    })
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve()
  }
}

const STARTED = Symbol.for('signalbox.tracingStarted')
/** The provider, and whether any of its spans leave the process (an exporter, not only the inspector). */
type Started = { provider: NodeTracerProvider; exports: boolean }

/**
 * Registers the tracer provider and the W3C propagators (an incoming `traceparent` continues
 * its trace; fetch calls to the `propagateTo` origins carry ours). The exporter reads the
 * standard variables itself: OTEL_EXPORTER_OTLP_ENDPOINT (with `/v1/traces` appended),
 * OTEL_EXPORTER_OTLP_HEADERS for API keys, and the sampler comes from OTEL_TRACES_SAMPLER /
 * OTEL_TRACES_SAMPLER_ARG (default: every trace, or as the incoming parent decided).
 */
export function startTracing(options: TracingOptions = {}): void {
  const store = globalThis as unknown as { [STARTED]?: Started }
  if (store[STARTED]) return
  const report = (destination: SpanDestination) => (ok: boolean) => options.onExportResult?.(destination, ok)
  const exporters: ScrubbingExporter[] = []
  if (options.collector !== false) exporters.push(new ScrubbingExporter(new OTLPTraceExporter(), report('collector')))
  if (options.sentry) exporters.push(new ScrubbingExporter(new OTLPTraceExporter(options.sentry), report('sentry')))
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': SERVICE_NAME,
      'service.version': SERVICE_VERSION,
      'deployment.environment.name': SERVICE_ENV,
    }),
    spanProcessors: [
      requestSpans,
      ...(options.inspector ? [inspectorSpans] : []),
      ...exporters.map((exporter) => new BatchSpanProcessor(exporter)),
    ],
  })
  provider.register()
  propagateToFetch(new Set(options.propagateTo))
  markOpenTelemetryAsTracer()
  store[STARTED] = { provider, exports: exporters.length > 0 }
}

/**
 * For when the server stops (lib/shutdown.ts): exports the spans still in the batch and shuts the
 * provider down, giving up after `timeoutMs`. True when it finished in time; undefined when no
 * span was to leave the process (not started, or no exporter: development's inspector only).
 */
export async function stopTracing(timeoutMs: number): Promise<boolean | undefined> {
  const started = (globalThis as unknown as { [STARTED]?: Started })[STARTED]
  if (!started) return undefined
  const { provider, exports } = started
  let timer: ReturnType<typeof setTimeout> | undefined
  const gaveUp = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(timeoutMs, 1))))
  const finished = provider.shutdown().then(
    () => true,
    () => false,
  )
  const stopped = await Promise.race([finished, gaveUp]).finally(() => clearTimeout(timer))
  return exports ? stopped : undefined
}
