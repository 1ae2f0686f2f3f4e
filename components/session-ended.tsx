import { SIGN_IN_PATH } from '@/lib/auth/routing'

/**
 * A form's answer when the session ended meanwhile (signed out in another tab, or expired). The
 * way back in opens in a new tab, so this form keeps what was typed: sign in there, come back,
 * and send it again.
 */
export function SessionEnded({ message, retry }: { message: string; retry: string }) {
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}{' '}
      <a href={SIGN_IN_PATH} target="_blank" rel="noopener" className="font-medium underline">
        Sign in again in a new tab
      </a>
      , then {retry} here.
    </p>
  )
}
