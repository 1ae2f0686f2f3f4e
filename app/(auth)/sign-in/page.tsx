import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { SignInForm } from '@/components/auth-forms'
import {
  INVALID_CREDENTIALS_MESSAGE,
  getSession,
  githubEnabled,
  retryAfterMinutesFromCode,
  safeCallbackPath,
  tooManyAttemptsMessage,
} from '@/lib/auth'
import { signInAction, signInWithGitHubAction } from '../actions'

export const metadata: Metadata = { title: 'Sign in' }

// Auth.js sends failures here as ?error=<type> (OAuth, or a direct POST to
// /api/auth/callback/credentials; the form itself answers in place). Only the kinds a person
// can act on get their own words.
const SIGN_IN_ERRORS: Record<string, string> = {
  CredentialsSignin: INVALID_CREDENTIALS_MESSAGE,
  OAuthAccountNotLinked: 'This email already has an account. Sign in with your password.',
  AccessDenied: 'Sign-in was cancelled or refused.',
}

export default async function SignInPage({ searchParams }: PageProps<'/sign-in'>) {
  const { callbackUrl, error, code } = await searchParams
  const returnTo = safeCallbackPath(Array.isArray(callbackUrl) ? callbackUrl[0] : callbackUrl)
  if (await getSession()) redirect(returnTo)
  const retryAfterMinutes = retryAfterMinutesFromCode(code)
  const redirectedError =
    retryAfterMinutes !== undefined
      ? tooManyAttemptsMessage(retryAfterMinutes)
      : typeof error === 'string'
        ? (SIGN_IN_ERRORS[error] ?? 'Sign-in failed. Try again.')
        : undefined

  return (
    <>
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {redirectedError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {redirectedError}
        </p>
      )}
      <SignInForm action={signInAction} callbackUrl={returnTo} />
      {githubEnabled() && (
        <form action={signInWithGitHubAction}>
          <input type="hidden" name="callbackUrl" value={returnTo} />
          <button
            type="submit"
            className="w-full rounded-md border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-100"
          >
            Continue with GitHub
          </button>
        </form>
      )}
      <p className="text-sm text-stone-600">
        No account yet?{' '}
        <Link
          className="text-emerald-700 underline"
          href={`/sign-up?${new URLSearchParams({ callbackUrl: returnTo })}`}
        >
          Create one
        </Link>
      </p>
    </>
  )
}
