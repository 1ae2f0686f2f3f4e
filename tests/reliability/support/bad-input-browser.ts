// Scenario 5's target for the browser telemetry beacon (POST /api/browser-events): what a page,
// a broken page or anyone with curl could post. Vitals, errors and analytics entries with every
// field wrong in turn, too many entries, any JSON, any text, any content type.
import fc from 'fast-check'
import { anyText, read, type TargetSpec } from './bad-input'
import { contentTypeLike } from './bad-input-customers'

/** lib/browser-telemetry/limits.ts, written out so the test can disagree. */
const MAX_BODY_BYTES = 16 * 1024
const MAX_ENTRIES = 40

const entryLike = fc.record(
  {
    type: fc.constantFrom('vital', 'error', 'analytics', 'nonsense'),
    name: fc.oneof(fc.constantFrom('LCP', 'INP', 'CLS', 'TTFB', 'FCP'), anyText(20)),
    value: fc.oneof(fc.double(), fc.integer(), fc.constant(1e12), anyText(10)),
    rating: fc.oneof(fc.constantFrom('good', 'needs-improvement', 'poor'), anyText(20)),
    id: anyText(120),
    kind: fc.constantFrom('error', 'unhandledrejection', 'other'),
    message: anyText(1200),
    event: fc.oneof(fc.constantFrom('customers_drawer_opened'), anyText(70)),
    properties: fc.jsonValue({ maxDepth: 2 }),
    route: fc.oneof(fc.constantFrom('/', '/customers/[id]', '/customers/3f2a', 'other'), anyText(250)),
    requestId: fc.oneof(fc.uuid(), anyText(140)),
  },
  { requiredKeys: ['type'] },
)
const bodyLike = fc.oneof(
  fc.array(entryLike, { maxLength: MAX_ENTRIES + 10 }).map((entries) => JSON.stringify({ entries })),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  anyText(200),
)

export const browserEvents: TargetSpec<{ body: string; contentType: string }> = {
  name: 'POST /api/browser-events',
  runs: [150, 30],
  arbitrary: fc.record({ body: bodyLike, contentType: contentTypeLike }),
  examples: [
    {
      body: JSON.stringify({
        entries: [{ type: 'vital', name: 'LCP', value: 1200, rating: 'good', id: 'v1', route: '/no/such/page' }],
      }),
      contentType: 'application/json',
    },
  ],
  async send(context, { body, contentType }) {
    const response = await fetch(`${context.app.url}/api/browser-events`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    })
    const answer = await read(response)
    const entries = (() => {
      try {
        return (JSON.parse(body) as { entries?: unknown }).entries
      } catch {
        return undefined
      }
    })()
    const deserved = !/^application\/json\b/i.test(contentType)
      ? [415]
      : Buffer.byteLength(body) > MAX_BODY_BYTES
        ? [413]
        : Array.isArray(entries) && entries.length >= 1 && entries.length <= MAX_ENTRIES
          ? [204, 400]
          : [400]
    let problem = deserved.includes(answer.status) ? undefined : `status ${answer.status}, deserved ${deserved}`
    if (!problem && answer.status === 400 && !/"(invalid_json|invalid_entries)"/.test(answer.body))
      problem = '400 without a reason'
    return { answer, problem }
  },
}
