// Every database query is a span, on both drivers, with the SQL text and never the bound values.
import { context, propagation, trace } from '@opentelemetry/api'
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { schema } from '@/lib/db'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'

const exporter = new InMemorySpanExporter()
beforeAll(() => {
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register()
})
afterAll(() => {
  trace.disable()
  context.disable()
  propagation.disable()
})

for (const kind of testDatabaseKinds()) {
  describe(`query spans on ${kind.label}`, () => {
    let database: TestDatabase
    beforeAll(async () => {
      database = await kind.create()
    })
    afterAll(async () => {
      await database?.close()
    })

    it('a query inside a traced request is a child span named after its operation and table', async () => {
      exporter.reset()
      const parent = trace.getTracer('test').startSpan('GET /customers')
      // Awaited inside: a Drizzle query runs when it is awaited, as in a request handler.
      await context.with(
        trace.setSpan(context.active(), parent),
        async () =>
          await database.db.select().from(schema.customers).where(eq(schema.customers.email, 'ada@planted.example')),
      )
      parent.end()
      const spans = exporter.getFinishedSpans()
      const query = spans.find((span) => span.name === 'SELECT customers')
      expect(query, spans.map((s) => s.name).join(', ')).toBeDefined()
      expect(query!.parentSpanContext?.spanId).toBe(parent.spanContext().spanId)
      expect(query!.spanContext().traceId).toBe(parent.spanContext().traceId)
      expect(query!.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'db.operation.name': 'SELECT',
        'db.collection.name': 'customers',
      })
      expect(String(query!.attributes['db.query.text'])).toMatch(
        /^select .* from "customers" where "customers"."email" = \$1$/,
      )
      expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('ada@planted.example')
    })

    it('a failing query is a span with an error status, and the error still reaches the caller', async () => {
      exporter.reset()
      const parent = trace.getTracer('test').startSpan('POST /customers')
      const failure = context.with(
        trace.setSpan(context.active(), parent),
        async () =>
          await database.db.insert(schema.customers).values({
            orgId: '00000000-0000-4000-8000-000000000000',
            name: 'n',
            email: 'e@example.com',
            source: 'manual',
          }),
      )
      await expect(failure).rejects.toThrow()
      parent.end()
      const insert = exporter.getFinishedSpans().find((span) => span.name === 'INSERT customers')
      expect(insert?.status.code).toBe(2) // SpanStatusCode.ERROR
    })

    it('a query outside any span makes no span (start-up work, scripts)', async () => {
      exporter.reset()
      await database.db.select().from(schema.customers).limit(1)
      expect(exporter.getFinishedSpans()).toEqual([])
    })
  })
}
