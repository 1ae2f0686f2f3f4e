// Liveness: the process answers. Deliberately does not touch the database.
import { echoingRequestId } from '@/lib/request'

export const dynamic = 'force-dynamic'

// Outside the proxy (proxy.ts): the ID is echoed here on platforms without the Node hook.
export const GET = echoingRequestId(() => Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } }))
