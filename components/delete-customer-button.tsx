'use client'

import { useRouter } from 'next/navigation'
import { useActionState, useEffect, useId, useRef, useState } from 'react'
import type { DeleteCustomerState } from '@/lib/customers'
import { secondaryButtonClass } from './field'
import { SessionEnded } from './session-ended'

type DeleteAction = (state: DeleteCustomerState, formData: FormData) => Promise<DeleteCustomerState>

/** "Delete", then a confirmation naming the customer before anything is removed. */
export function DeleteCustomerButton({
  action,
  customer,
}: {
  action: DeleteAction
  customer: { id: string; name: string }
}) {
  const [confirming, setConfirming] = useState(false)
  return (
    <>
      <button
        type="button"
        aria-label={`Delete ${customer.name}`}
        className="text-sm text-red-700 underline"
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
      {confirming && <Confirm action={action} customer={customer} onClose={() => setConfirming(false)} />}
    </>
  )
}

function Confirm({
  action,
  customer,
  onClose,
}: {
  action: DeleteAction
  customer: { id: string; name: string }
  onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const router = useRouter()
  const [state, formAction, pending] = useActionState<DeleteCustomerState, FormData>(
    async (previous, formData) => {
      const next = await action(previous, formData)
      if (next.status === 'deleted') onClose()
      return next
    },
    { status: 'idle' },
  )

  useEffect(() => {
    dialog.current?.showModal()
  }, [])

  // Deleted elsewhere first (another tab, a colleague): the dialog says so, and closing it
  // refreshes the list. Not refreshed at once: the dialog lives in the row, which would take
  // the message away with it.
  const gone = state.status === 'gone'
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={() => {
        onClose()
        if (gone) router.refresh()
      }}
      className="m-auto w-full max-w-sm rounded-lg bg-white p-6 shadow-xl backdrop:bg-stone-900/30"
    >
      <form action={formAction} className="flex flex-col gap-4">
        <h2 id={titleId} className="text-lg font-semibold break-words">
          Delete {customer.name}?
        </h2>
        {gone ? (
          <p role="status" className="rounded-md bg-stone-100 px-3 py-2 text-sm text-stone-700">
            {state.message}
          </p>
        ) : (
          <p className="text-sm text-stone-600">
            The customer is removed for everyone in your organization. Its history stays in the activity log.
          </p>
        )}
        {state.status === 'signed_out' && <SessionEnded message={state.message} retry="delete" />}
        {(state.status === 'refused' || state.status === 'unavailable') && (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
            {state.message}
          </p>
        )}
        <input type="hidden" name="id" value={customer.id} />
        <div className="flex justify-end gap-3">
          <button type="button" className={secondaryButtonClass} onClick={() => dialog.current?.close()}>
            {gone ? 'Close' : 'Cancel'}
          </button>
          {!gone && (
            <button
              type="submit"
              disabled={pending}
              className="rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-600 disabled:opacity-60"
            >
              Delete customer
            </button>
          )}
        </div>
      </form>
    </dialog>
  )
}
