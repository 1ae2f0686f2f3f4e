// The customers feature: the org-scoped rules (customers.ts), the drawer's form actions
// (form.ts) and the JSON API (api.ts). Server code imports from here; client components
// import only its types.
import 'server-only'

export {
  createCustomer,
  CUSTOMERS_PAGE_SIZE,
  deleteCustomer,
  getCustomer,
  listCustomers,
  parseCustomerInput,
  updateCustomer,
  type Customer,
  type CustomerFieldErrors,
  type CustomerInput,
  type CustomerSource,
} from './customers'
export { deleteCustomerFromForm, saveCustomerFromForm, type CustomerFormState, type DeleteCustomerState } from './form'
export { createCustomerFromRequest } from './api'
