// Sign-in, sessions and organizations. Server code imports from here (client components only
// its types, which the compiler erases); the proxy imports the pure helpers in ./routing directly.
import 'server-only'

// Not auth(): on its own it reads a token without asking whether its session is live, which
// only getSession() does (./session.ts).
export {
  githubEnabled,
  handlers,
  InvalidCredentials,
  isAuthError,
  isRefusedCredentials,
  signIn,
  signOut,
  TooManyAttempts,
} from './nextauth'
export type { AuthFormState } from './form-state'
export { getSession, requireSession, type Actor, type Session } from './session'
export { assertCan, can, NotPermitted, type Permission, type Role } from './permissions'
export { refuseControlCharacters, registerUser, SignUpUnconfirmed, type SignUpResult } from './credentials'
export {
  DATABASE_UNAVAILABLE_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  SIGN_UP_UNCONFIRMED_MESSAGE,
  retryAfterMinutesFromCode,
  tooManyAttemptsMessage,
} from './sign-in-messages'
export { requestClientIp, requestClientSubject } from './client-ip'
export { DEFAULT_SIGNED_IN_PATH, safeCallbackPath, signInPathFor } from './routing'
