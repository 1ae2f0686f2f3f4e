'use server'

import { revalidatePath } from 'next/cache'
import { getSession } from '@/lib/auth'
import {
  deleteCustomerFromForm,
  saveCustomerFromForm,
  type CustomerFormState,
  type DeleteCustomerState,
} from '@/lib/customers'
import { getDb } from '@/lib/db'
import { withActionInstrumentation } from '@/lib/errors'

// Each action reads the session itself: a server action is a public POST endpoint, and the
// proxy in front of the page is not a guard for it. A null session is refused by lib/customers.

export const saveCustomerAction = withActionInstrumentation(
  { name: 'saveCustomer', feature: 'customers' },
  async (_previous: CustomerFormState, formData: FormData): Promise<CustomerFormState> => {
    const state = await saveCustomerFromForm(await getDb(), await getSession(), formData)
    if (state.status === 'saved') revalidatePath('/customers', 'layout')
    return state
  },
)

export const deleteCustomerAction = withActionInstrumentation(
  { name: 'deleteCustomer', feature: 'customers' },
  async (_previous: DeleteCustomerState, formData: FormData): Promise<DeleteCustomerState> => {
    const state = await deleteCustomerFromForm(await getDb(), await getSession(), formData)
    if (state.status === 'deleted') revalidatePath('/customers', 'layout')
    return state
  },
)
