'use client'

import { useEffect } from 'react'
import { identify } from '@/lib/analytics/client'
import { setErrorTrackingUser } from '@/lib/errors/client'

/**
 * Tells analytics and error tracking who is using the page once the session is known: IDs
 * only, never names or emails. Mounted by the signed-in shell; renders nothing.
 */
export function SignedInTelemetry({
  userId,
  orgId,
  flags,
}: {
  userId: string
  orgId: string
  flags: Record<string, boolean>
}) {
  useEffect(() => {
    identify({ userId, orgId }, flags)
    setErrorTrackingUser({ userId, orgId })
  }, [userId, orgId, flags])
  return null
}
