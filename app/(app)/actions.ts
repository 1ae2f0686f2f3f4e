'use server'

import { signOut } from '@/lib/auth'
import { withActionInstrumentation } from '@/lib/errors'

export const signOutAction = withActionInstrumentation(
  { name: 'signOut', feature: 'auth' },
  async (): Promise<void> => {
    await signOut({ redirectTo: '/sign-in' })
  },
)
