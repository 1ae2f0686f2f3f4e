import { getSession } from '@/lib/auth'
import { createCustomerFromRequest } from '@/lib/customers'
import { getDb, isDatabaseUnavailable } from '@/lib/db'
import { withRouteInstrumentation } from '@/lib/errors'
import { getRequestLogger } from '@/lib/logs'
import { getRequestId, RETRY_AFTER_SECONDS } from '@/lib/request'

// Creates a customer from JSON, for scripts and integrations signed in with a session cookie.
export const POST = withRouteInstrumentation('customers', async (request: Request) => {
  try {
    return await createCustomerFromRequest(await getDb(), await getSession(), request)
  } catch (error) {
    // An unreachable database is not a bug: a 503 the client may retry, with the reference
    // support searches the logs by. Anything else stays a 500 for onRequestError to report.
    if (!isDatabaseUnavailable(error)) throw error
    const reference = (await getRequestId()) ?? null
    ;(await getRequestLogger()).warn({ err: error }, 'database_unavailable')
    return Response.json(
      { error: 'database_unavailable', message: 'The database is not answering; try again shortly.', reference },
      { status: 503, headers: { 'Cache-Control': 'no-store', 'Retry-After': String(RETRY_AFTER_SECONDS) } },
    )
  }
})
