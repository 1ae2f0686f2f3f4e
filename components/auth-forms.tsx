'use client'

import { useActionState } from 'react'
import type { AuthFormState } from '@/lib/auth'
import { Field, buttonClass } from './field'

type FormProps = {
  action: (state: AuthFormState, formData: FormData) => Promise<AuthFormState>
  callbackUrl: string
}

function FormError({ message }: { message?: string }) {
  if (!message) return null
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
      {message}
    </p>
  )
}

export function SignInForm({ action, callbackUrl }: FormProps) {
  const [state, formAction, pending] = useActionState(action, {})
  return (
    <form action={formAction} className="flex flex-col gap-4">
      <FormError message={state.error} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.values?.email} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" />
      <button type="submit" disabled={pending} className={buttonClass}>
        Sign in
      </button>
    </form>
  )
}

export function SignUpForm({ action, callbackUrl }: FormProps) {
  const [state, formAction, pending] = useActionState(action, {})
  return (
    <form action={formAction} className="flex flex-col gap-4">
      <FormError message={state.error} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label="Name"
        name="name"
        autoComplete="name"
        defaultValue={state.values?.name}
        errors={state.fieldErrors?.name}
      />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        defaultValue={state.values?.email}
        errors={state.fieldErrors?.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        hint="At least 10 characters."
        errors={state.fieldErrors?.password}
      />
      <button type="submit" disabled={pending} className={buttonClass}>
        Create account
      </button>
    </form>
  )
}
