'use client'

import { useActionState, useEffect, useId, useRef, useState } from 'react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { track } from '@/lib/analytics/client'
import { useFlag } from '@/lib/flags/client'
import type { CustomerFormState } from '@/lib/customers'
import { Field, buttonClass, secondaryButtonClass } from './field'
import { SessionEnded } from './session-ended'

type SaveAction = (state: CustomerFormState, formData: FormData) => Promise<CustomerFormState>
type Editable = { id: string; name: string; email: string }

/**
 * A button that opens the customer drawer: empty for a new customer, filled in to edit one.
 * The drawer is only mounted while open, so each opening starts from a clean form.
 */
export function CustomerDrawerButton({
  action,
  customer,
  children,
  className,
  ariaLabel,
}: {
  action: SaveAction
  customer?: Editable
  children: React.ReactNode
  className?: string
  ariaLabel?: string
}) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        aria-label={ariaLabel}
        className={className ?? buttonClass}
        onClick={() => {
          setOpen(true)
          track('customers_drawer_opened', {
            feature: 'customers',
            surface: 'customers_drawer',
            mode: customer ? 'edit' : 'create',
          })
        }}
      >
        {children}
      </button>
      {open && <CustomerDrawer action={action} customer={customer} onClose={() => setOpen(false)} />}
    </>
  )
}

function CustomerDrawer({
  action,
  customer,
  onClose,
}: {
  action: SaveAction
  customer?: Editable
  onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const router = useRouter()
  // Close from inside the action's transition once the server says it is saved; the page's
  // list is already revalidated by then.
  const [state, formAction, pending] = useActionState<CustomerFormState, FormData>(
    async (previous, formData) => {
      const next = await action(previous, formData)
      if (next.status === 'saved') onClose()
      return next
    },
    { status: 'idle' },
  )

  useEffect(() => {
    dialog.current?.showModal()
  }, [])

  const showHistory = useFlag('customer_history')
  // What was typed comes back when it was not saved (React resets a form after its action).
  // Read from the answer's shape: each state that keeps them carries `values`.
  const values = 'values' in state ? state.values : customer
  const fieldErrors = state.status === 'invalid' ? state.fieldErrors : undefined
  // Deleted elsewhere (another tab, a colleague): saving again cannot work, so only Close is
  // offered, and closing refreshes the list. Not at once: the drawer lives in the row, and would
  // go with it, taking the message and what was typed.
  const gone = state.status === 'gone'

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={() => {
        onClose()
        if (gone) router.refresh()
      }}
      className="fixed inset-y-0 right-0 left-auto m-0 h-dvh max-h-none w-full max-w-md bg-white p-0 shadow-xl backdrop:bg-stone-900/30"
    >
      <form action={formAction} className="flex h-full flex-col gap-5 p-6">
        <h2 id={titleId} className="text-lg font-semibold">
          {customer ? 'Edit customer' : 'New customer'}
        </h2>
        {state.status === 'signed_out' && <SessionEnded message={state.message} retry="save" />}
        {(state.status === 'refused' || state.status === 'unavailable' || gone) && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.message}
          </p>
        )}
        {customer && <input type="hidden" name="id" value={customer.id} />}
        <Field label="Name" name="name" autoComplete="off" defaultValue={values?.name} errors={fieldErrors?.name} />
        <Field
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          defaultValue={values?.email}
          errors={fieldErrors?.email}
        />
        {customer && showHistory && (
          <Link href={`/customers/${customer.id}`} className="text-sm text-emerald-700 underline">
            Who changed this customer?
          </Link>
        )}
        <div className="mt-auto flex justify-end gap-3">
          <button type="button" className={secondaryButtonClass} onClick={() => dialog.current?.close()}>
            {gone ? 'Close' : 'Cancel'}
          </button>
          {!gone && (
            <button type="submit" disabled={pending} className={buttonClass}>
              Save customer
            </button>
          )}
        </div>
      </form>
    </dialog>
  )
}
