'use client'

import { forgetIdentity } from '@/lib/analytics/client'
import { setErrorTrackingUser } from '@/lib/errors/client'

/** Signs out, and first makes analytics and error tracking forget the user on this browser. */
export function SignOutButton({ action }: { action: () => Promise<void> }) {
  return (
    <form
      action={action}
      onSubmit={() => {
        forgetIdentity()
        setErrorTrackingUser(null)
      }}
    >
      <button
        type="submit"
        className="rounded-md border border-stone-300 px-3 py-1 whitespace-nowrap hover:bg-stone-100"
      >
        Sign out
      </button>
    </form>
  )
}
