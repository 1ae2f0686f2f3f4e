// What the sign-in and sign-up actions (app/(auth)/actions.ts) answer and their forms
// (components/auth-forms.tsx) show. A type only, so client components may import it.
export type AuthFormState = {
  error?: string
  fieldErrors?: Partial<Record<'name' | 'email' | 'password', string[]>>
  /** Echoed back so a failed submit keeps what was typed. Never the password. */
  values?: { name?: string; email?: string }
}
