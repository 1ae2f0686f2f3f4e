import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { SignInForm } from '@/components/auth-forms'
import { getSession, githubEnabled, safeCallbackPath } from '@/lib/auth'
import { signInAction, signInWithGitHubAction } from '../actions'

export const metadata: Metadata = { title: 'Sign in' }

// Auth.js sends OAuth failures here as ?error=<type>; only the kinds a person can act on get
// their own words.
const OAUTH_ERRORS: Record<string, string> = {
  OAuthAccountNotLinked: 'This email already has an account. Sign in with your password.',
  AccessDenied: 'Sign-in was cancelled or refused.',
}

export default async function SignInPage({ searchParams }: PageProps<'/sign-in'>) {
  const { callbackUrl, error } = await searchParams
  const returnTo = safeCallbackPath(Array.isArray(callbackUrl) ? callbackUrl[0] : callbackUrl)
  if (await getSession()) redirect(returnTo)
  const oauthError = typeof error === 'string' && error !== 'CredentialsSignin' ? (OAUTH_ERRORS[error] ?? 'Sign-in failed. Try again.') : undefined

  return (
    <>
      <h1 className="text-2xl font-semibold">Sign in</h1>
      {oauthError && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {oauthError}
        </p>
      )}
      <SignInForm action={signInAction} callbackUrl={returnTo} />
      {githubEnabled() && (
        <form action={signInWithGitHubAction}>
          <input type="hidden" name="callbackUrl" value={returnTo} />
          <button type="submit" className="w-full rounded-md border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-100">
            Continue with GitHub
          </button>
        </form>
      )}
      <p className="text-sm text-stone-600">
        No account yet?{' '}
        <Link className="text-emerald-700 underline" href={`/sign-up?${new URLSearchParams({ callbackUrl: returnTo })}`}>
          Create one
        </Link>
      </p>
    </>
  )
}
