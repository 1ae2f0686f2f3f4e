// The access line as the request's wide event: a real server action and the real query wrapper,
// audit writer, track(), flags and error line, run inside a request context as the Node hook runs
// them; then the hook's listener writes the line. It must carry what that request did, and a
// request that did nothing carries none of those fields.
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Session } from '@/lib/auth/session'
import { schema, type Database } from '@/lib/db'
import { evaluateAllFlags } from '@/lib/flags'
import { logRequestError, writeAccessLine } from '@/lib/logs'
import { logger } from '@/lib/logs/logger'
import type { RequestContext } from '@/lib/request'
import { requestContextStorage } from '@/lib/request/context'
import { FEATURES } from '@/lib/analytics'
import { countFeatureWorkFromZero, metrics, recordHttpRequest } from '@/lib/metrics'
import { apiRequest, form } from '../support/customer-requests'
import { createAfterQueue } from '../support/requests'
import { testDatabaseKinds, type TestDatabase } from '../support/databases'
import { createTestUser } from '../support/fixtures'
import { recordAnalyticsEvents } from '../support/analytics-events'

const current = vi.hoisted(() => ({
  session: null as Session | null,
  db: undefined as Database | undefined,
  after: undefined as undefined | ((task: () => unknown) => void),
}))
vi.mock('@/lib/auth', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth')>()),
  getSession: async () => current.session,
}))
vi.mock('@/lib/db', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/db')>()),
  getDb: async () => current.db,
}))
vi.mock('next/server', () => ({ after: (task: () => unknown) => current.after?.(task) }))
vi.mock('next/cache', () => ({ revalidatePath: () => {} }))

const { saveCustomerAction } = await import('@/app/(app)/customers/actions')
const { POST } = await import('@/app/api/customers/route')

/**
 * Runs `work` as one request, then hands its record to the hook's listeners as the hook does (the
 * access line, the request metrics), and returns the line.
 */
async function accessLineOf(work: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const context: RequestContext = { requestId: `wide-${Math.random()}`, requestIdSource: 'server', startedAt: 0 }
  await requestContextStorage.run(context, work)
  const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined)
  try {
    const record = { context, method: 'POST', path: '/customers', route: '/customers', status: 200, durationMs: 5 }
    writeAccessLine(record)
    recordHttpRequest(record)
    return info.mock.calls[0]![0] as unknown as Record<string, unknown>
  } finally {
    info.mockRestore()
  }
}

/** feature_work_seconds' observation count for one feature and kind (undefined: no such series). */
async function featureWorkCount(feature: string, kind: string): Promise<number | undefined> {
  const { values } = await metrics().featureWork.get()
  return values.find(
    (v) => v.metricName === 'feature_work_seconds_count' && v.labels.feature === feature && v.labels.kind === kind,
  )?.value
}

const WIDE_FIELDS = ['db_queries', 'db_ms', 'audit_rows_queued', 'analytics_events_tracked', 'flags', 'error_digest']

describe.each(testDatabaseKinds())('the wide access line on $label', ({ create }) => {
  let database: TestDatabase
  const queue = createAfterQueue()

  beforeAll(async () => {
    recordAnalyticsEvents()
    database = await create()
    current.db = database.db
    current.after = queue.after
    current.session = await createTestUser(database.db, 'Wide')
    await queue.flush()
  })
  afterAll(async () => {
    await database?.close()
  })

  it('counts each query of the request and their time, failed ones included', async () => {
    const line = await accessLineOf(async () => {
      await database.db.select().from(schema.customers).where(eq(schema.customers.name, 'nobody'))
      await database.db.select().from(schema.users).limit(1)
      await database.db.execute('select * from no_such_table').catch(() => undefined)
    })
    expect(line.db_queries).toBe(3)
    expect(line.db_ms).toBeGreaterThan(0)
  })

  it('a server action that creates a customer: its queries, one audit row, one analytics event', async () => {
    const line = await accessLineOf(() =>
      saveCustomerAction({ status: 'idle' }, form({ name: 'Wide Event', email: 'wide@example.com' })),
    )
    expect(line.audit_rows_queued).toBe(1)
    expect(line.analytics_events_tracked).toBe(1)
    expect(line.feature).toBe('customers')
    expect(line.db_queries).toBeGreaterThanOrEqual(1)
    // Counts and names only: nothing the person typed.
    expect(JSON.stringify(line)).not.toMatch(/wide@example\.com|Wide Event/)
    await queue.flush() // the row and the event, after the response: not on the line
  })

  it('names each flag evaluated with its value and how it was decided, and the error digest', async () => {
    const line = await accessLineOf(async () => {
      await evaluateAllFlags('user-wide')
      const error = Object.assign(new Error('planted'), { digest: '2746121849' })
      logRequestError(error, { path: '/customers', method: 'GET', headers: {} }, {
        routerKind: 'App Router',
        routePath: '/customers',
        routeType: 'render',
        renderSource: undefined,
      } as never)
    })
    expect(line.flags).toEqual({ customer_history: { value: true, result: 'default' } })
    expect(line.error_digest).toBe('2746121849')
  })

  it('a request that did none of it carries none of those fields', async () => {
    const line = await accessLineOf(async () => {})
    for (const field of WIDE_FIELDS) expect(line).not.toHaveProperty(field)
    expect(line).toMatchObject({ kind: 'access', status: 200, duration_ms: 5 })
  })

  it('counts the time of each action and API call for its feature, from zero, and nothing for unknown features', async () => {
    countFeatureWorkFromZero(FEATURES)
    for (const feature of FEATURES)
      for (const kind of ['action', 'api']) expect(await featureWorkCount(feature, kind)).toBeDefined()
    const actions = (await featureWorkCount('customers', 'action'))!
    const apiCalls = (await featureWorkCount('customers', 'api'))!
    const auth = (await featureWorkCount('auth', 'action'))!

    await accessLineOf(() => saveCustomerAction({ status: 'idle' }, form({ name: 'Cost', email: 'cost@example.com' })))
    const line = await accessLineOf(() =>
      POST(apiRequest(JSON.stringify({ name: 'Cost API', email: 'api@cost.example' }))),
    )
    expect(line.feature).toBe('customers')
    expect(await featureWorkCount('customers', 'action')).toBe(actions + 1)
    expect(await featureWorkCount('customers', 'api')).toBe(apiCalls + 1)
    expect(await featureWorkCount('auth', 'action')).toBe(auth)

    // A feature start-up did not name never becomes a series.
    await accessLineOf(async () => (await import('@/lib/request')).noteFeatureWork('not_a_feature', 'api', 1))
    expect(await featureWorkCount('not_a_feature', 'api')).toBeUndefined()
    await queue.flush()
  })
})
