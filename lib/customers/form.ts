// What the customer drawer's server actions do, given the session the action read itself.
// A null session is refused here, before any input is looked at.
import 'server-only'
import { NotPermitted, type Session } from '../auth'
import { isDatabaseUnavailable, mayHaveCommitted, type Database } from '../db'
import { textField } from '../form-data'
import {
  createCustomer,
  deleteCustomer,
  parseCustomerInput,
  updateCustomer,
  type CustomerFieldErrors,
} from './customers'

export type CustomerFormState =
  | { status: 'idle' }
  | { status: 'saved'; customerId: string }
  | { status: 'invalid'; fieldErrors: CustomerFieldErrors; values: { name: string; email: string } }
  | { status: 'refused'; message: string }
  /** Signed out meanwhile (in another tab, say): nothing was saved; the typed values are kept for after signing in again. */
  | { status: 'signed_out'; message: string; values: { name: string; email: string } }
  /** The customer is gone (deleted in another tab, say): nothing was saved; the typed values are kept. */
  | { status: 'gone'; message: string; values: { name: string; email: string } }
  /** The database could not be reached: the message says whether the change may have been made; the typed values are kept. */
  | { status: 'unavailable'; message: string; values: { name: string; email: string } }

export const SIGNED_OUT_MESSAGE = 'Your session has ended.'
// A customer of another organization reads as one deleted: the two stay indistinguishable.
export const GONE_BEFORE_SAVE_MESSAGE =
  'This customer was deleted, in another tab or by someone else in your organization, so your changes were not saved.'
export const ALREADY_DELETED_MESSAGE =
  'This customer was already deleted, in another tab or by someone else in your organization.'
export const NOT_PERMITTED_MESSAGE: Record<NotPermitted['action'], string> = {
  'customer.create': 'Your role cannot add customers. Ask an owner of your organization.',
  'customer.update': 'Your role cannot change customers. Ask an owner of your organization.',
  'customer.delete': 'Only an owner of your organization can delete customers.',
}

export const UNAVAILABLE_MESSAGE = 'The database is not answering, so nothing was changed. Try again in a moment.'
export const UNCONFIRMED_MESSAGE =
  'The connection to the database was lost before it confirmed the change, which may have been made. Check the list before trying again.'

/**
 * A refusal by role becomes the form's message, and so does a database out of reach (a form
 * keeps what was typed, where an error page would lose it); anything else is still an error.
 */
async function asFormRefusal<T>(
  work: () => Promise<T>,
): Promise<T | { status: 'refused'; message: string } | { status: 'unavailable'; message: string }> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof NotPermitted) return { status: 'refused', message: NOT_PERMITTED_MESSAGE[error.action] }
    if (isDatabaseUnavailable(error))
      return { status: 'unavailable', message: mayHaveCommitted(error) ? UNCONFIRMED_MESSAGE : UNAVAILABLE_MESSAGE }
    throw error
  }
}

/** Creates (no `id`) or updates (with `id`) a customer from the drawer's form. */
export async function saveCustomerFromForm(
  db: Database,
  session: Session | null,
  formData: FormData,
): Promise<CustomerFormState> {
  const values = { name: textField(formData, 'name'), email: textField(formData, 'email') }
  if (!session) return { status: 'signed_out', message: SIGNED_OUT_MESSAGE, values }
  const parsed = parseCustomerInput(values)
  if (!parsed.ok) return { status: 'invalid', fieldErrors: parsed.fieldErrors, values }

  const id = textField(formData, 'id')
  const state = await asFormRefusal(async (): Promise<CustomerFormState> => {
    if (!id) {
      const customer = await createCustomer(db, session, parsed.input, 'manual')
      return { status: 'saved', customerId: customer.id }
    }
    const updated = await updateCustomer(db, session, id, parsed.input)
    return updated
      ? { status: 'saved', customerId: updated.customer.id }
      : { status: 'gone', message: GONE_BEFORE_SAVE_MESSAGE, values }
  })
  return state.status === 'unavailable' ? { ...state, values } : state
}

export type DeleteCustomerState =
  | { status: 'idle' }
  | { status: 'deleted' }
  /** Someone deleted it first: what was asked for is done, but this page's list is out of date. */
  | { status: 'gone'; message: string }
  | { status: 'signed_out'; message: string }
  | { status: 'refused'; message: string }
  | { status: 'unavailable'; message: string }

export async function deleteCustomerFromForm(
  db: Database,
  session: Session | null,
  formData: FormData,
): Promise<DeleteCustomerState> {
  if (!session) return { status: 'signed_out', message: SIGNED_OUT_MESSAGE }
  return asFormRefusal(async (): Promise<DeleteCustomerState> => {
    const deleted = await deleteCustomer(db, session, textField(formData, 'id'))
    return deleted ? { status: 'deleted' } : { status: 'gone', message: ALREADY_DELETED_MESSAGE }
  })
}
