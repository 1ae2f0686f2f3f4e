// POST /api/customers: the same creation as the drawer, over JSON, recorded with source `api`.
import 'server-only'
import { NotPermitted, type Session } from '../auth'
import type { Database } from '../db'
import { createCustomer, parseCustomerInput, type Customer } from './customers'

const noStore = { 'Cache-Control': 'no-store' }

function problem(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status, headers: noStore })
}

export function customerJson(customer: Customer) {
  const { id, name, email, source, createdAt, updatedAt } = customer
  return { id, name, email, source, createdAt, updatedAt }
}

/**
 * 401 without a session; 403 when the role may not add customers; 415 unless the body is declared JSON (an HTML form cannot send that
 * cross-site, which closes the text/plain CSRF trick); 400 for unparsable JSON or invalid
 * fields, with field errors; 201 with the customer. Only `name` and `email` are read from the
 * body: an `orgId` or `source` in it is ignored, the organization comes from the session.
 */
export async function createCustomerFromRequest(
  db: Database,
  session: Session | null,
  request: Request,
): Promise<Response> {
  if (!session)
    return problem(401, { error: 'unauthorized', message: 'Sign in first: this endpoint needs a session cookie.' })
  const contentType = request.headers.get('content-type') ?? ''
  if (!/^application\/json\b/i.test(contentType)) {
    return problem(415, {
      error: 'unsupported_media_type',
      message: 'Send the customer as JSON (Content-Type: application/json).',
    })
  }
  let body: unknown
  try {
    body = await request.json()
  } catch {
    return problem(400, { error: 'invalid_json', message: 'The request body is not valid JSON.' })
  }
  const parsed = parseCustomerInput(body)
  if (!parsed.ok) return problem(400, { error: 'invalid_fields', fieldErrors: parsed.fieldErrors })
  try {
    const customer = await createCustomer(db, session, parsed.input, 'api')
    return Response.json({ customer: customerJson(customer) }, { status: 201, headers: noStore })
  } catch (error) {
    if (error instanceof NotPermitted)
      return problem(403, { error: 'forbidden', message: 'Your role in this organization cannot add customers.' })
    throw error
  }
}
