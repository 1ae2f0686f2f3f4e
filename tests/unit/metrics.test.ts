import { describe, expect, it } from 'vitest'
import { countFlagEvaluationsFromZero } from '@/lib/flags'
import { FLAG_NAMES } from '@/lib/flags/registry'
import { exposition, metrics, recordHttpRequest, routeLabel } from '@/lib/metrics/registry'
import { scrapeDecision } from '@/lib/metrics/scrape-access'

const TOKEN = 'a-long-enough-metrics-token'

describe('scrapeDecision', () => {
  it.each([
    [{ production: false, token: undefined, authorization: null }, 'allow'],
    [{ production: true, token: undefined, authorization: null }, 'disabled'],
    [{ production: true, token: undefined, authorization: `Bearer ${TOKEN}` }, 'disabled'],
    [{ production: true, token: TOKEN, authorization: null }, 'unauthorized'],
    [{ production: true, token: TOKEN, authorization: 'Bearer wrong' }, 'unauthorized'],
    [{ production: true, token: TOKEN, authorization: `Bearer ${TOKEN}x` }, 'unauthorized'],
    [{ production: true, token: TOKEN, authorization: TOKEN }, 'unauthorized'],
    [{ production: true, token: TOKEN, authorization: `Basic ${TOKEN}` }, 'unauthorized'],
    [{ production: true, token: TOKEN, authorization: `Bearer ${TOKEN}` }, 'allow'],
    [{ production: false, token: TOKEN, authorization: null }, 'unauthorized'],
  ] as const)('%j → %s', (input, expected) => {
    expect(scrapeDecision(input)).toBe(expected)
  })
})

describe('http metrics', () => {
  it('labels routes by pattern, with two fixed buckets for the rest', () => {
    expect(routeLabel({ route: '/customers/[id]', path: '/customers/123' })).toBe('/customers/[id]')
    expect(routeLabel({ route: undefined, path: '/_next/static/chunks/a.js' })).toBe('/_next/*')
    expect(routeLabel({ route: undefined, path: '/wp-admin.php?x=' })).toBe('unmatched')
  })

  it('keeps series bounded however many distinct paths and odd methods arrive', async () => {
    for (let i = 0; i < 500; i++) {
      recordHttpRequest({
        context: { requestId: `r${i}`, requestIdSource: 'server', startedAt: 0 },
        method: i % 7 === 0 ? `WEIRD${i}` : 'GET',
        path: `/customers/${i}`,
        route: i % 2 ? '/customers/[id]' : undefined,
        status: 200,
        durationMs: 12,
      })
    }
    const counter = await metrics().httpRequests.get()
    expect(counter.values.length).toBeLessThan(20)
    expect(counter.values.map((v) => v.labels.method)).not.toContain('WEIRD7')
    const text = await metrics().registry.metrics()
    expect(text).toContain('http_server_requests_total{method="GET",route="/customers/[id]",status="200"}')
    expect(text).toContain('http_server_request_duration_seconds_bucket')
    expect(text).toContain('process_cpu_user_seconds_total')
  })
})

describe('series with known label values', () => {
  it('exist at 0 from the first scrape: audit and analytics results, each flag × result, the audit backlog', async () => {
    countFlagEvaluationsFromZero() // what start-up does for lib/flags
    const text = await metrics().registry.metrics()
    for (const result of ['ok', 'error', 'dropped'])
      expect(text).toContain(`\naudit_log_writes_total{result="${result}"} 0\n`)
    for (const result of ['ok', 'error']) expect(text).toContain(`\nanalytics_events_total{result="${result}"} 0\n`)
    for (const flag of FLAG_NAMES) {
      for (const result of ['backend', 'default', 'timeout', 'error']) {
        expect(text).toContain(`\nfeature_flag_evaluations_total{flag="${flag}",result="${result}"} 0\n`)
      }
    }
    expect(text).toContain('\naudit_log_writes_pending 0\n')
  })

  it('starting at 0 again adds nothing to a count that has begun', async () => {
    metrics().featureFlagEvaluations.inc({ flag: 'customer_history', result: 'error' })
    countFlagEvaluationsFromZero()
    const text = await metrics().registry.metrics()
    expect(text).toContain('\nfeature_flag_evaluations_total{flag="customer_history",result="error"} 1\n')
  })
})

describe('the exposition: OpenMetrics with exemplars when asked, the text format otherwise', () => {
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
  const traced = () =>
    recordHttpRequest({
      context: {
        requestId: 'r-ex',
        requestIdSource: 'server',
        startedAt: 0,
        traceId: TRACE_ID,
        spanId: '00f067aa0ba902b7',
      },
      method: 'GET',
      path: '/status',
      route: '/status',
      status: 200,
      durationMs: 7,
    })

  it('gives a traced request’s latency bucket its trace_id as an exemplar, in OpenMetrics only', async () => {
    traced()
    const open = await exposition('application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5')
    expect(open.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/)
    expect(open.body).toMatch(
      new RegExp(
        `http_server_request_duration_seconds_bucket\\{le="0.01",method="GET",route="/status"\\} \\d+ # \\{trace_id="${TRACE_ID}"\\} 0.007 `,
      ),
    )
    expect(open.body.endsWith('# EOF\n')).toBe(true)

    const plain = await exposition(undefined)
    expect(plain.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(plain.body).not.toContain(TRACE_ID)
    expect(plain.body).not.toContain('# EOF')
  })

  it('leaves the text format’s counter names whole after an OpenMetrics scrape', async () => {
    traced()
    await exposition('application/openmetrics-text')
    const plain = await exposition('text/plain')
    expect(plain.body).toContain('# TYPE http_server_requests_total counter')
    expect(plain.body).toMatch(/^http_server_requests_total\{method="GET",route="\/status",status="200"\} \d+$/m)
    const open = await exposition('application/openmetrics-text')
    expect(open.body).toContain('# TYPE http_server_requests counter')
    expect(open.body).toMatch(/^http_server_requests_total\{method="GET",route="\/status",status="200"\} \d+$/m)
  })
})
