// What the OTLP exporter gets: real SDK spans, seen through the scrubbing view.
import { describe, expect, it } from 'vitest'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { describeQuery } from '@/lib/db/tracing'
import { scrubbedSpan } from '@/lib/traces/tracing'

function recordOneSpan(record: (span: import('@opentelemetry/api').Span) => void) {
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  const span = provider.getTracer('test').startSpan('GET /customers?page=2&email=ada@planted.example')
  record(span)
  span.end()
  const [finished] = exporter.getFinishedSpans()
  return finished!
}

describe('scrubbedSpan', () => {
  it('drops query values, e-mails, credentials and secret-named attributes, and keeps the rest', () => {
    const span = recordOneSpan((s) => {
      s.setAttribute('http.target', '/customers?page=2&token=tok-planted-1')
      s.setAttribute('url.query', 'a=1&b=planted-2')
      s.setAttribute('http.request.header.authorization', 'Bearer tok-planted-3')
      s.setAttribute('next.route', '/customers')
      s.setAttribute('http.status_code', 200)
      s.recordException(new Error('Failed query: select 1\nparams: ada@planted.example,pw-planted-4'))
    })
    const view = scrubbedSpan(span)
    const text = JSON.stringify({ name: view.name, attributes: view.attributes, events: view.events })
    for (const planted of ['tok-planted-1', 'planted-2', 'tok-planted-3', 'ada@planted.example', 'pw-planted-4']) {
      expect(text).not.toContain(planted)
    }
    expect(view.name).toBe('GET /customers?page=&email=')
    expect(view.attributes).toMatchObject({
      'http.target': '/customers?page=&token=',
      'next.route': '/customers',
      'http.status_code': 200,
    })
    // Everything the exporter reads besides the scrubbed fields still comes from the SDK's span.
    expect(view.spanContext()).toEqual(span.spanContext())
    expect(view.duration).toEqual(span.duration)
    expect(view.resource).toBe(span.resource)
    // The SDK's own span is left untouched.
    expect(span.attributes['http.target']).toBe('/customers?page=2&token=tok-planted-1')
  })
})

describe('describeQuery', () => {
  it.each([
    ['select "id", "name" from "customers" where "customers"."org_id" = $1', 'SELECT', 'customers'],
    ['insert into "audit_log" ("id") values ($1)', 'INSERT', 'audit_log'],
    ['update "customers" set "name" = $1', 'UPDATE', 'customers'],
    ['delete from "customers" where id = $1', 'DELETE', 'customers'],
    ['select 1', 'SELECT', undefined],
    ['  with recent as (select * from "audit_log") select * from recent', 'WITH', 'audit_log'],
  ])('%s → %s %s', (sql, operation, table) => {
    expect(describeQuery(sql)).toEqual({ operation, table })
  })
})
