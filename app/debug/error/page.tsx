import { requireDebugRoutes } from '@/lib/debug'

export const dynamic = 'force-dynamic'

// A server component that fails while rendering (DEBUG_ROUTES=1 only): shows the error page
// with its reference, and the matching error line in the logs.
export default function DebugRenderErrorPage(): never {
  requireDebugRoutes()
  throw new Error('Planted render error from /debug/error')
}
