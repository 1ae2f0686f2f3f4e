// Scenario 6's load: what one worker sends, each request judged as it ends. A worker is one
// signed-up person in their own organization, cycling through a fixed mix (pages, both ways of
// creating a customer, signing out and in again, and a few requests that deserve a 4xx), so
// every window of the soak sees the same mix and the latency of its first and last minute
// compare like with like.
import { postAction } from './bad-input'

/** ok: answered as asked (or the 4xx deserved); clean: 503 with the reference, or a wrong 4xx; bad: the rest. */
export type Outcome = 'ok' | 'clean' | 'bad'

export type Exchange = {
  op: string
  requestId: string
  /** When it was sent, ms since the load began. */
  at: number
  ms: number
  outcome: Outcome
  detail: string
}

export type Worker = {
  index: number
  email: string
  password: string
  cookie: string
  /** Customers of this worker's organization, for /customers/<id>. */
  customerIds: string[]
  sent: number
}

export type LoadContext = {
  url: string
  actions: Record<string, string>
  requestTimeoutMs: number
  /** When the load began (performance.now()). */
  startedAt: number
  /** Wrong passwords still allowed: every one counts against 127.0.0.1's sign-in limit (30 in 15 min). */
  wrongPasswordsLeft: number
  exchanges: Exchange[]
}

type Answer = { status: number; body: string; headers: Headers; setCookies: string[] }
/** Why the answer is not the one deserved, or undefined. */
type Judge = (answer: Answer) => string | undefined

const SESSION_COOKIE = /^(__Secure-)?authjs\.session-token=/

/** An action that redirected: a 303, or (as Next answers React's fetch) the target's payload with x-action-redirect. */
const redirected = (answer: Answer) => answer.status === 303 || answer.headers.has('x-action-redirect')

async function exchange(
  context: LoadContext,
  worker: Worker,
  op: string,
  send: (requestId: string, signal: AbortSignal) => Promise<Answer>,
  judge: Judge,
): Promise<Answer | undefined> {
  const requestId = `soak-w${worker.index}-${String(worker.sent++).padStart(5, '0')}`
  const started = performance.now()
  let outcome: Outcome
  let detail: string
  let answer: Answer | undefined
  try {
    answer = await send(requestId, AbortSignal.timeout(context.requestTimeoutMs))
    const problem = judge(answer)
    detail = problem ? `${answer.status}: ${problem}` : String(answer.status)
    if (!problem) outcome = 'ok'
    // The one refusal a client can act on: 503 naming this request as the reference.
    else if (answer.status === 503 && answer.body.includes(requestId)) outcome = 'clean'
    else if (answer.status >= 500) outcome = 'bad'
    else outcome = 'clean'
  } catch (error) {
    // A timeout is a hang; anything else a reset or a refused connection: never deserved here.
    outcome = 'bad'
    detail = (error as Error).name === 'TimeoutError' ? 'hung' : String((error as Error).cause ?? error)
  }
  context.exchanges.push({
    op,
    requestId,
    at: started - context.startedAt,
    ms: performance.now() - started,
    outcome,
    detail,
  })
  return outcome === 'ok' ? answer : undefined
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    body: await response.text(),
    headers: response.headers,
    setCookies: response.headers.getSetCookie(),
  }
}

const expectStatus =
  (status: number, body?: RegExp): Judge =>
  (answer) =>
    answer.status !== status
      ? `expected ${status}`
      : body && !body.test(answer.body)
        ? `body does not match ${body}`
        : undefined

function page(context: LoadContext, worker: Worker, path: string, status = 200) {
  return exchange(
    context,
    worker,
    `GET ${path.replace(/[0-9a-f-]{36}$/, '<id>')}`,
    async (requestId, signal) =>
      answerOf(
        await fetch(`${context.url}${path}`, {
          redirect: 'manual',
          headers: { cookie: worker.cookie, 'x-request-id': requestId },
          signal,
        }),
      ),
    expectStatus(status),
  )
}

function apiCreate(
  context: LoadContext,
  worker: Worker,
  { body, contentType = 'application/json', cookie = worker.cookie, status = 201, op = 'POST /api/customers' } = {} as {
    body?: string
    contentType?: string
    cookie?: string
    status?: number
    op?: string
  },
) {
  return exchange(
    context,
    worker,
    op,
    async (requestId, signal) =>
      answerOf(
        await fetch(`${context.url}/api/customers`, {
          method: 'POST',
          headers: { cookie, 'content-type': contentType, 'x-request-id': requestId },
          // The customer's name is the request ID that created it: rows lost are found by name.
          body: body ?? JSON.stringify({ name: requestId, email: `${requestId}@example.com` }),
          signal,
        }),
      ),
    expectStatus(status),
  )
}

async function createThroughApi(context: LoadContext, worker: Worker) {
  const answer = await apiCreate(context, worker)
  const id = answer && (JSON.parse(answer.body) as { customer?: { id?: string } }).customer?.id
  // Enough to vary the detail page, bounded so the worker's own state does not grow.
  if (id && worker.customerIds.length < 50) worker.customerIds.push(id)
}

function action(
  context: LoadContext,
  worker: Worker,
  op: string,
  page: string,
  actionId: string,
  fields: (requestId: string) => Record<string, string>,
  judge: Judge,
  cookie: string | undefined = worker.cookie,
) {
  return exchange(
    context,
    worker,
    op,
    async (requestId, signal) => {
      const answer = await postAction(context.url, page, actionId, fields(requestId), {
        cookie,
        headers: { 'x-request-id': requestId },
        signal,
      })
      return { ...answer, headers: new Headers(answer.headers) }
    },
    judge,
  )
}

const createThroughForm = (context: LoadContext, worker: Worker) =>
  action(
    context,
    worker,
    'customer form action',
    '/customers',
    context.actions.saveCustomerAction!,
    (requestId) => ({ name: requestId, email: `${requestId}@example.com`, id: '' }),
    expectStatus(200, /"status":"saved"/),
  )

const sessionCookieOf = (answer: Answer) =>
  answer.setCookies
    .map((line) => line.split(';')[0]!)
    .find((cookie) => SESSION_COOKIE.test(cookie) && !cookie.endsWith('='))

/** Signs out through the layout's action, then in again through the sign-in form's action. */
async function signOutAndIn(context: LoadContext, worker: Worker) {
  await action(
    context,
    worker,
    'sign-out action',
    '/customers',
    context.actions.signOutAction!,
    () => ({}),
    (answer) =>
      !redirected(answer)
        ? 'expected a redirect'
        : // Auth.js clears the cookie with an empty value and a date in the past.
          answer.setCookies.some((line) => SESSION_COOKIE.test(line) && /^[^=]+=;/.test(line))
          ? undefined
          : 'the session cookie was not cleared',
  )
  const signedIn = await action(
    context,
    worker,
    'sign-in action',
    '/sign-in',
    context.actions.signInAction!,
    () => ({ email: worker.email, password: worker.password, callbackUrl: '/customers' }),
    (answer) => (!redirected(answer) ? 'expected a redirect' : sessionCookieOf(answer) ? undefined : 'no session'),
    undefined,
  )
  const cookie = signedIn && sessionCookieOf(signedIn)
  if (cookie) worker.cookie = cookie
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

/** Requests that deserve a 4xx or a refusal, in turn. */
const BAD: ((context: LoadContext, worker: Worker) => Promise<unknown>)[] = [
  (context, worker) =>
    apiCreate(context, worker, { body: '{"name":', status: 400, op: 'POST /api/customers (bad JSON)' }),
  (context, worker) => apiCreate(context, worker, { cookie: '', status: 401, op: 'POST /api/customers (no session)' }),
  (context, worker) =>
    apiCreate(context, worker, { contentType: 'text/plain', status: 415, op: 'POST /api/customers (not JSON)' }),
  (context, worker) => page(context, worker, `/customers/${UNKNOWN_ID}`, 404),
  (context, worker) => page(context, worker, '/no-such-page', 404),
  (context, worker) =>
    action(
      context,
      worker,
      'customer form action (bad email)',
      '/customers',
      context.actions.saveCustomerAction!,
      (requestId) => ({ name: requestId, email: 'not an email', id: '' }),
      expectStatus(200, /"status":"invalid"/),
    ),
  async (context, worker) => {
    if (context.wrongPasswordsLeft <= 0) return page(context, worker, '/no-such-page', 404)
    context.wrongPasswordsLeft--
    return action(
      context,
      worker,
      'sign-in action (wrong password)',
      '/sign-in',
      context.actions.signInAction!,
      () => ({ email: worker.email, password: 'not the password at all', callbackUrl: '/customers' }),
      expectStatus(200, /"error":"Email or password is incorrect\."/),
      undefined,
    )
  },
]

/**
 * The mix, one round: 9 page loads, 3 API creates, 2 form creates, 2 bad requests, and one
 * sign-out and sign-in every other round (bcrypt at cost 12 in pure JavaScript is the most
 * expensive thing the app does; more would make the soak a sign-in benchmark).
 */
export async function round(context: LoadContext, worker: Worker, n: number): Promise<void> {
  const detail = () => worker.customerIds[n % Math.max(worker.customerIds.length, 1)]
  await page(context, worker, '/customers')
  await createThroughApi(context, worker)
  await page(context, worker, '/')
  await page(context, worker, detail() ? `/customers/${detail()}` : '/customers')
  await createThroughForm(context, worker)
  await page(context, worker, '/activity')
  await BAD[(n * 2) % BAD.length]!(context, worker)
  await page(context, worker, '/customers')
  await createThroughApi(context, worker)
  await page(context, worker, detail() ? `/customers/${detail()}` : '/activity')
  await createThroughForm(context, worker)
  await page(context, worker, '/activity?page=2')
  await BAD[(n * 2 + 1) % BAD.length]!(context, worker)
  await page(context, worker, '/customers?page=2')
  await createThroughApi(context, worker)
  await page(context, worker, '/')
  if (n % 2 === 1) await signOutAndIn(context, worker)
}
