'use server'

import { headers } from 'next/headers'
import {
  DATABASE_UNAVAILABLE_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  SIGN_UP_UNCONFIRMED_MESSAGE,
  SignUpUnconfirmed,
  TooManyAttempts,
  isAuthError,
  isRefusedCredentials,
  registerUser,
  requestClientIp,
  safeCallbackPath,
  signIn,
  tooManyAttemptsMessage,
  type AuthFormState,
  type SignUpResult,
} from '@/lib/auth'
import { getDb, isDatabaseUnavailable } from '@/lib/db'
import { withActionInstrumentation } from '@/lib/errors'
import { textField } from '@/lib/form-data'

/** Signs in with email and password; on success Auth.js redirects (a thrown NEXT_REDIRECT). */
export const signInAction = withActionInstrumentation(
  { name: 'signIn', feature: 'auth' },
  async (_previous: AuthFormState, formData: FormData): Promise<AuthFormState> => {
    const email = textField(formData, 'email')
    try {
      await signIn('credentials', {
        email,
        password: textField(formData, 'password'),
        redirectTo: safeCallbackPath(textField(formData, 'callbackUrl')),
      })
    } catch (error) {
      if (error instanceof TooManyAttempts)
        return { error: tooManyAttemptsMessage(error.retryAfterMinutes), values: { email } }
      // Before the refusal: Auth.js wraps a failed query in the same AuthError as a wrong password.
      if (isDatabaseUnavailable(error)) return { error: DATABASE_UNAVAILABLE_MESSAGE, values: { email } }
      if (isRefusedCredentials(error)) return { error: INVALID_CREDENTIALS_MESSAGE, values: { email } }
      // Anything else (a table missing, a grant revoked) is a fault of ours: the error page, with
      // a reference, rather than telling someone with the right password that it is wrong.
      throw error
    }
    return {}
  },
)

export const signUpAction = withActionInstrumentation(
  { name: 'signUp', feature: 'auth' },
  async (_previous: AuthFormState, formData: FormData): Promise<AuthFormState> => {
    const values = { name: textField(formData, 'name'), email: textField(formData, 'email') }
    const password = textField(formData, 'password')
    let result: SignUpResult
    try {
      result = await registerUser(await getDb(), { ...values, password }, { ip: requestClientIp(await headers()) })
    } catch (error) {
      // What was typed stays in the form (a thrown action would replace the page with the error page).
      // "May have been created" only when the account's own insert was sent, not for a lost
      // answer to an earlier statement (counting the limit): that error looks the same.
      if (error instanceof SignUpUnconfirmed) return { error: SIGN_UP_UNCONFIRMED_MESSAGE, values }
      if (isDatabaseUnavailable(error)) return { error: DATABASE_UNAVAILABLE_MESSAGE, values }
      throw error
    }
    if (!result.ok)
      return 'formError' in result ? { error: result.formError, values } : { fieldErrors: result.fieldErrors, values }
    try {
      await signIn('credentials', {
        email: result.user.email,
        password,
        redirectTo: safeCallbackPath(textField(formData, 'callbackUrl')),
      })
    } catch (error) {
      if (isAuthError(error))
        return { error: 'Your account is ready, but signing in failed. Sign in to continue.', values }
      throw error
    }
    return {}
  },
)

export const signInWithGitHubAction = withActionInstrumentation(
  { name: 'signInWithGitHub', feature: 'auth' },
  async (formData: FormData): Promise<void> => {
    await signIn('github', { redirectTo: safeCallbackPath(textField(formData, 'callbackUrl')) })
  },
)
