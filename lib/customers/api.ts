// POST /api/customers: the same creation as the drawer, over JSON, recorded with source `api`.
import 'server-only'
import { NotPermitted, type Session } from '../auth'
import type { Database } from '../db'
import { closeIfUnread, readCapped } from '../http'
import { createCustomer, parseCustomerInput, type Customer } from './customers'

const noStore = { 'Cache-Control': 'no-store' }

/**
 * A customer is a name and an email (at most a few hundred bytes of JSON): 16 KiB is room to
 * spare. Read with a deadline too: `request.json()` read a body sent a byte a second until Node's
 * own timeout (5 minutes), holding a shutdown for its whole share, and read 300 MB before Next's
 * 10 MB cut made it "invalid JSON" (a fault review).
 */
const BODY_LIMITS = { maxBytes: 16 * 1024, timeoutMs: 10_000 }

const BODY_REFUSALS = {
  400: { error: 'invalid_body', message: 'The request body could not be read.' },
  408: { error: 'body_timeout', message: 'The request body did not arrive in time.' },
  413: { error: 'body_too_large', message: `Send at most ${BODY_LIMITS.maxBytes} bytes of JSON.` },
} as const

function problem(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...noStore, ...headers } })
}

export function customerJson(customer: Customer) {
  const { id, name, email, source, createdAt, updatedAt } = customer
  return { id, name, email, source, createdAt, updatedAt }
}

/**
 * 401 without a session; 403 when the role may not add customers; 415 unless the body is declared JSON (an HTML form cannot send that
 * cross-site, which closes the text/plain CSRF trick); 413 over 16 KiB and 408 when the body
 * takes over 10 s (BODY_LIMITS); 400 for unparsable JSON or invalid
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
  const read = await readCapped(request, BODY_LIMITS)
  if (!read.ok) return problem(read.status, BODY_REFUSALS[read.status], closeIfUnread(request))
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(read.body))
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
