import 'server-only'
import { notFound } from 'next/navigation'
import { env } from './env'

/** Operator routes that fail on purpose exist only with DEBUG_ROUTES=1; otherwise they 404. */
export function debugRoutesEnabled(): boolean {
  return env().DEBUG_ROUTES
}

export function requireDebugRoutes(): void {
  if (!debugRoutesEnabled()) notFound()
}
