import { getSession } from '@/lib/auth'
import { createCustomerFromRequest } from '@/lib/customers'
import { getDb } from '@/lib/db'

// Creates a customer from JSON, for scripts and integrations signed in with a session cookie.
export async function POST(request: Request) {
  return createCustomerFromRequest(await getDb(), await getSession(), request)
}
