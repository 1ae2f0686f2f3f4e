// Readiness: can this instance serve traffic? 503 names the failing check.
import { checkDatabase, getDb } from '@/lib/db'
import { recordDependencyState } from '@/lib/metrics'
import { echoingRequestId } from '@/lib/request'

export const dynamic = 'force-dynamic'

const DATABASE_TIMEOUT_MS = 1000

// Outside the proxy (proxy.ts): the ID is echoed here on platforms without the Node hook.
export const GET = echoingRequestId(async () => {
  const database = await checkDatabase(getDb, DATABASE_TIMEOUT_MS)
  // The orchestrator polls this every few seconds: the freshest word on the database there is.
  recordDependencyState('database', database.ok ? 'up' : 'down')
  const headers = { 'Cache-Control': 'no-store' }
  if (database.ok) {
    return Response.json(
      { status: 'ready', checks: { database: { status: 'ok', duration_ms: database.durationMs } } },
      { headers },
    )
  }
  return Response.json(
    { status: 'unavailable', checks: { database: { status: 'fail', error: database.error } } },
    { status: 503, headers },
  )
})
