// stopTracing (lib/traces/tracing.ts), which the shutdown's `spans_sent` reports: true once the
// batched spans reached the exporter's endpoint, and undefined, not true, when the provider had
// no exporter (development without an endpoint: the inspector's processor only), so the shutdown
// claims no delivery that did not happen. A real provider each time, with a local OTLP receiver.
import { propagation, trace } from '@opentelemetry/api'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTracing, stopTracing } from '@/lib/traces/tracing'
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver'

let receiver: OtlpReceiver

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint
  process.env.OTEL_BSP_SCHEDULE_DELAY = '600000' // spans leave only through stopTracing's flush
})
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT
  delete process.env.OTEL_BSP_SCHEDULE_DELAY
  await receiver.close()
})
afterEach(() => {
  // startTracing runs once per process; each case starts its own provider.
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.tracingStarted')]
  trace.disable()
  propagation.disable()
})

const endSpan = (name: string) => trace.getTracer('test').startSpan(name).end()

describe('stopTracing', () => {
  it('with an exporter: true once the batched spans are at the endpoint', async () => {
    startTracing({ collector: true })
    endSpan('batched-until-stop')
    expect(receiver.spans.some((span) => span.name === 'batched-until-stop')).toBe(false)
    expect(await stopTracing(5000)).toBe(true)
    expect(receiver.spans.some((span) => span.name === 'batched-until-stop')).toBe(true)
  })

  it('with the inspector only: undefined, and nothing sent', async () => {
    startTracing({ collector: false, inspector: true })
    endSpan('kept-in-process')
    expect(await stopTracing(5000)).toBeUndefined()
    expect(receiver.spans.some((span) => span.name === 'kept-in-process')).toBe(false)
  })
})
