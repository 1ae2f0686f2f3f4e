// Scenario 5's customer targets: POST /api/customers (JSON) and the drawer's save action.
import fc from 'fast-check'
import {
  anyText,
  emailLike,
  fieldErrorsIn,
  isRedirect,
  postAction,
  read,
  sometimes,
  type TargetSpec,
} from './bad-input'
import type { Context } from './bad-input-targets'

const CREATED = { customers: 1, 'audit:customer.created': 1 }

type Session = 'valid' | 'none' | 'garbage'
const sessionLike = fc.constantFrom<Session>('valid', 'valid', 'valid', 'none', 'garbage')

function cookieFor(context: Context, session: Session): string | undefined {
  if (session === 'valid') return context.cookie
  return session === 'garbage' ? 'authjs.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..garbage' : undefined
}

/** Header-safe text fetch will send: printable ASCII. */
export const printable = (maxLength = 60) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength })

const fieldValue = fc.oneof(anyText(), fc.jsonValue({ maxDepth: 2 }))
const customerBody = fc.oneof(
  // Valid fields with garbage in some: one bad field at a time reaches the database too.
  fc
    .record({
      name: sometimes(fieldValue),
      email: sometimes(fc.oneof(emailLike, fc.jsonValue({ maxDepth: 1 }))),
      orgId: fc.option(fc.uuid()),
      source: fc.option(anyText()),
    })
    .map(({ name, email, ...rest }) =>
      JSON.stringify({ name: name === undefined ? 'Ann Valid' : name, email: email ?? 'ann@example.com', ...rest }),
    ),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  anyText(200),
  fc.constant('{"name":"Ann Valid","email":"ann@example.com"}'),
)
export const contentTypeLike = fc.oneof(
  fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/jsonx'),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''),
  printable(),
)

export const apiCustomers: TargetSpec<{ body: string; contentType: string; session: Session }> = {
  name: 'POST /api/customers',
  runs: [150, 30],
  arbitrary: fc.record({ body: customerBody, contentType: contentTypeLike, session: sessionLike }),
  examples: [
    { body: '{"name":"Nul\\u0000","email":"nul@example.com"}', contentType: 'application/json', session: 'valid' },
  ],
  async send(context, { body, contentType, session }) {
    const cookie = cookieFor(context, session)
    const response = await fetch(`${context.app.url}/api/customers`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': contentType, ...(cookie ? { cookie } : {}) },
      body,
    })
    const answer = await read(response)
    const json = /^application\/json\b/i.test(contentType)
    // The proxy leaves /api/ alone: no session and a cookie that is not one are the route's 401.
    const deserved = session !== 'valid' ? [401] : !json ? [415] : [201, 400]
    let problem = deserved.includes(answer.status) ? undefined : `status ${answer.status}, deserved ${deserved}`
    if (!problem && answer.status === 400 && !/"invalid_json"/.test(answer.body) && !fieldErrorsIn(answer))
      problem = '400 without field errors'
    return { answer, problem, adds: answer.status === 201 ? CREATED : {} }
  },
}

const CUSTOMER_STATE = /"status":"(invalid|saved|refused|signed_out|gone)"/

export const customerForm: TargetSpec<{ name: string; email: string; id: string; session: Session }> = {
  name: 'customer form action',
  runs: [80, 20],
  arbitrary: fc.record({
    name: sometimes(anyText(250)).map((name) => name ?? 'Bo Valid'),
    email: sometimes(emailLike).map((email) => email ?? 'bo@example.com'),
    id: fc.oneof(fc.constant(''), fc.uuid(), anyText(40)),
    session: sessionLike,
  }),
  examples: [{ name: 'Nul\u0000', email: 'nul@example.com', id: '', session: 'valid' }],
  async send(context, { session, ...fields }) {
    const answer = await postAction(context.app.url, '/customers', context.actions.saveCustomerAction!, fields, {
      cookie: cookieFor(context, session),
    })
    if (isRedirect(answer) || [307, 308].includes(answer.status))
      return { answer, problem: session === 'valid' ? 'redirected while signed in' : undefined }
    const state = CUSTOMER_STATE.exec(answer.body)?.[1]
    let problem = answer.status !== 200 || !state ? `status ${answer.status} without a form state` : undefined
    if (state === 'invalid' && !fieldErrorsIn(answer)) problem = 'invalid without field errors'
    if (state === 'saved' && (session !== 'valid' || fields.id !== '')) problem = 'saved what it should not have'
    if (state === 'signed_out' && session === 'valid') problem = 'signed out while signed in'
    if (state !== 'signed_out' && state !== undefined && session !== 'valid') problem = `${state} without a session`
    // Only an edit can find its customer gone (none of the ids sent is one of this organization's).
    if (state === 'gone' && fields.id === '') problem = 'gone without an id'
    return { answer, problem, adds: state === 'saved' ? CREATED : {} }
  },
}
