import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { SignUpForm } from '@/components/auth-forms'
import { getSession, safeCallbackPath } from '@/lib/auth'
import { signUpAction } from '../actions'

export const metadata: Metadata = { title: 'Create an account' }

export default async function SignUpPage({ searchParams }: PageProps<'/sign-up'>) {
  const { callbackUrl } = await searchParams
  const returnTo = safeCallbackPath(Array.isArray(callbackUrl) ? callbackUrl[0] : callbackUrl)
  if (await getSession()) redirect(returnTo)

  return (
    <>
      <h1 className="text-2xl font-semibold">Create an account</h1>
      <SignUpForm action={signUpAction} callbackUrl={returnTo} />
      <p className="text-sm text-stone-600">
        Already have an account?{' '}
        <Link
          className="text-emerald-700 underline"
          href={`/sign-in?${new URLSearchParams({ callbackUrl: returnTo })}`}
        >
          Sign in
        </Link>
      </p>
    </>
  )
}
