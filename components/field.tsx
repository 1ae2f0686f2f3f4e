import { useId } from 'react'

type FieldProps = {
  label: string
  name: string
  type?: 'text' | 'email' | 'password'
  defaultValue?: string
  errors?: string[]
  hint?: string
  autoComplete?: string
  required?: boolean
}

/** A labelled input with its hint and field errors wired to it for screen readers. */
export function Field({
  label,
  name,
  type = 'text',
  defaultValue,
  errors,
  hint,
  autoComplete,
  required = true,
}: FieldProps) {
  const id = useId()
  // A field error replaces the hint: both at once said the same rule twice.
  const shownHint = errors?.length ? undefined : hint
  const describedBy =
    [shownHint && `${id}-hint`, errors?.length && `${id}-error`].filter(Boolean).join(' ') || undefined
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        defaultValue={defaultValue}
        autoComplete={autoComplete}
        required={required}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy}
        className="rounded-md border border-stone-300 bg-white px-3 py-2 outline-none focus:border-emerald-600 focus:ring-2 focus:ring-emerald-600/20 aria-invalid:border-red-500"
      />
      {shownHint && (
        <p id={`${id}-hint`} className="text-xs text-stone-500">
          {shownHint}
        </p>
      )}
      {errors?.length ? (
        <p id={`${id}-error`} className="text-sm text-red-700">
          {errors.join(' ')}
        </p>
      ) : null}
    </div>
  )
}

export const buttonClass =
  'rounded-md bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700 disabled:cursor-wait disabled:opacity-60'
export const secondaryButtonClass =
  'rounded-md border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-100'
