'use server'

import { getSession } from '@/lib/auth'
import { requireDebugRoutes } from '@/lib/debug'
import { withActionInstrumentation } from '@/lib/errors'

// A server action that fails on purpose (DEBUG_ROUTES=1 only): the event is named after the
// action, carries the request ID, and none of the form's fields. It reads the session first,
// as every app action does, so a signed-in operator's event names them.
export const failingDebugAction = withActionInstrumentation(
  { name: 'failingDebugAction', feature: null }, // an operator's check, no product feature
  async (formData: FormData): Promise<void> => {
    requireDebugRoutes()
    await getSession()
    void formData
    throw new Error('Planted server action error from /debug/sentry')
  },
)
