// Scenario 5's request-level targets: the headers the app reads, Content-Length values that lie
// (over a bare socket: fetch will not send them), query parameters on pages, the metrics token,
// and the forwarders' paths, methods and bodies.
import fc from 'fast-check'
import { anyText, encode, rawExchange, read, type Answer, type Outcome, type TargetSpec } from './bad-input'
import { printable } from './bad-input-customers'
import type { Context } from './bad-input-targets'

const CREATED = { customers: 1, 'audit:customer.created': 1 }
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/ // lib/request/id.ts, written out so the test can disagree

/** Any byte but CR and LF: what a header value can carry on the wire without ending the line. */
const headerBytes = (maxLength = 120) =>
  fc.string({
    unit: fc
      .integer({ min: 0x00, max: 0xff })
      .filter((c) => c !== 0x0a && c !== 0x0d)
      .map((c) => String.fromCharCode(c)),
    maxLength,
  })
const headerValue = fc.oneof(printable(200), headerBytes(), fc.uuid(), fc.constantFrom('', ' ', 'x'.repeat(9000)))

/** One HTTP/1.1 request as bytes, with `Connection: close` and the body's true length unless a header says otherwise. */
function requestBytes(context: Context, line: string, headers: [string, string][], body = ''): Buffer {
  const names = headers.map(([name]) => name.toLowerCase())
  const all: [string, string][] = [['Host', `127.0.0.1:${context.port}`], ...headers, ['Connection', 'close']]
  if (body && !names.includes('content-length')) all.push(['Content-Length', String(Buffer.byteLength(body, 'latin1'))])
  const head = all.map(([name, value]) => `${name}: ${value}`).join('\r\n')
  return Buffer.from(`${line}\r\n${head}\r\n\r\n${body}`, 'latin1')
}

function closedOr(answer: Answer | undefined, problem?: string): Outcome {
  return { answer, problem: answer ? problem : undefined }
}

const READ_HEADERS = ['x-request-id', 'x-forwarded-for', 'cookie', 'content-type'] as const
/** What Next's CSRF check on server actions reads (and the proxy, first: lib/security/action-origin.ts). */
const ORIGIN_HEADERS = ['origin', 'x-forwarded-host'] as const
const SIGN_UP_ACTION = 'POST /sign-up (action)'
/** A sign-up with a bad email: refused by the action, so whether the action ran shows in the answer. */
const ACTION_BODY = ['_1_email', '0']
  .map((name, i) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${['bad', '[{},"$K1"]'][i]}\r\n`)
  .join('')
  .concat('--x--\r\n')
const cookieLike = fc.oneof(
  headerValue,
  headerValue.map((v) => `authjs.session-token=${v}`),
  fc.base64String({ maxLength: 400 }).map((v) => `authjs.session-token.0=${v}; authjs.session-token.1=${v}`),
  headerValue.map((v) => `authjs.csrf-token=${v}; authjs.callback-url=${v}`),
)

type HeaderName = (typeof READ_HEADERS)[number] | (typeof ORIGIN_HEADERS)[number]

export const headers: TargetSpec<{ where: string; name: HeaderName; value: string }> = {
  name: 'headers we read',
  runs: [150, 30],
  arbitrary: fc.oneof(
    fc.record({
      where: fc.constantFrom('GET /', 'GET /sign-in', 'GET /customers', 'GET /api/health', 'POST /api/customers'),
      name: fc.constantFrom(...READ_HEADERS),
      value: headerValue,
    }),
    fc.record({ where: fc.constant('GET /customers'), name: fc.constant('cookie' as const), value: cookieLike }),
    fc.record({
      where: fc.constant(SIGN_UP_ACTION),
      name: fc.constantFrom(...ORIGIN_HEADERS),
      value: fc.oneof(headerValue, fc.webUrl(), fc.webAuthority(), fc.constantFrom('null', 'http://127.0.0.1')),
    }),
  ),
  // Next answered a server action from another origin with a 500 (the proxy now refuses it, 403).
  examples: [{ where: SIGN_UP_ACTION, name: 'origin', value: 'http://evil.example' }],
  async send(context, input) {
    if (input.where === SIGN_UP_ACTION) return sendToAction(context, input)
    const { where, name, value } = input
    const post = where.startsWith('POST')
    const sent: [string, string][] = [[name, value]]
    if (name !== 'cookie' && where !== 'GET /') sent.push(['Cookie', context.cookie])
    if (post && name !== 'content-type') sent.push(['Content-Type', 'application/json'])
    const body = post ? '{"name":"Header Fuzz","email":"header@fuzz.example"}' : ''
    const answer = await rawExchange(context.port, requestBytes(context, `${where} HTTP/1.1`, sent, body))
    if (!answer) return { problem: 'closed without an answer' }
    let problem: string | undefined
    // Node's parser refuses some bytes with a bare 400 before the app runs; the app's answers carry an ID.
    const echoed = answer.headers['x-request-id']
    if (name === 'x-request-id' && echoed !== undefined) {
      const kept = echoed === value.trim()
      if (kept !== VALID_REQUEST_ID.test(value.trim())) problem = `request ID ${kept ? 'kept' : 'replaced'} wrongly`
    }
    return { answer, problem, adds: answer.status === 201 ? CREATED : {} }
  },
}

/** Posts the sign-up action with a forged Origin or X-Forwarded-Host: 403 from another origin, else the action's refusal. */
async function sendToAction(context: Context, { name, value }: { name: HeaderName; value: string }): Promise<Outcome> {
  const sent: [string, string][] = [
    ['Next-Action', context.actions.signUpAction!],
    ['Content-Type', 'multipart/form-data; boundary=x'],
    [name, value],
  ]
  if (name !== 'origin') sent.push(['Origin', `http://127.0.0.1:${context.port}`])
  const answer = await rawExchange(context.port, requestBytes(context, 'POST /sign-up HTTP/1.1', sent, ACTION_BODY))
  if (!answer) return { problem: 'closed without an answer' }
  const ran = /"fieldErrors"/.test(answer.body)
  const refusedByParser = answer.status === 400 && !answer.headers['x-request-id']
  let sameOrigin: boolean
  try {
    const originHost = name === 'origin' ? new URL(value.trim()).host : `127.0.0.1:${context.port}`
    const forwarded = name === 'x-forwarded-host' ? value.split(',')[0]!.trim() : undefined
    sameOrigin = originHost === (forwarded || `127.0.0.1:${context.port}`)
  } catch {
    sameOrigin = false
  }
  if (refusedByParser) return { answer }
  if (sameOrigin)
    return { answer, problem: ran ? undefined : `same origin, status ${answer.status}, action did not answer` }
  return { answer, problem: answer.status === 403 && !ran ? undefined : `another origin, status ${answer.status}` }
}

const ACTION_CONTENT_TYPES = [
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'text/plain;charset=UTF-8',
  'application/json',
  'application/octet-stream',
  '', // no Content-Type header
]
/** Parts of a multipart body: React's argument list (`0`), sign-up's fields, a no-JS form's action field. */
const multipartBody = fc
  .tuple(
    fc.array(
      fc.tuple(
        fc.oneof(fc.constantFrom('0', '_1_email', '_1_name', '$ACTION_ID_x'), printable(12)),
        fc.oneof(anyText(60), fc.json({ maxDepth: 2 })),
      ),
      { maxLength: 4 },
    ),
    fc.constantFrom('--x--\r\n', '', '--x'),
  )
  .map(
    ([parts, end]) =>
      parts
        .map(([name, value]) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
        .join('') + end,
  )
/**
 * A string React's reply format reads as a reference to another part (`"$1"`, `"$@1"`, `"$Q1"`):
 * naming a part that is not there still gets Next's 500 (docs/security.md says so), so none is generated.
 */
const REACT_REFERENCE = /"\$[^$"]/

/** Bodies of posts to a page: what Next's action handler reads when there is a Next-Action header or a multipart type. */
export const actionBodies: TargetSpec<{ action: boolean; contentType: string; body: string }> = {
  name: 'server action bodies',
  runs: [80, 20],
  arbitrary: fc
    .record({
      action: fc.boolean(),
      contentType: fc.constantFrom(...ACTION_CONTENT_TYPES),
      body: fc.oneof(anyText(300), fc.json({ maxDepth: 3 }), multipartBody),
    })
    .filter(({ body }) => !REACT_REFERENCE.test(body)),
  // Each was a 500 from Next's action handler; the proxy now refuses the first three, and the
  // action reads the fourth (no arguments) as an empty form.
  examples: [
    { action: true, contentType: 'multipart/form-data; boundary=x', body: 'hello' },
    { action: true, contentType: '', body: 'zzz' },
    { action: true, contentType: 'text/plain;charset=UTF-8', body: '"x"' },
    { action: true, contentType: 'text/plain;charset=UTF-8', body: '[]' },
    { action: false, contentType: 'multipart/form-data; boundary=x', body: 'hello' },
  ],
  async send(context, { action, contentType, body }) {
    const sent: [string, string][] = [['Origin', `http://127.0.0.1:${context.port}`]]
    if (contentType) sent.push(['Content-Type', contentType])
    if (action) sent.push(['Next-Action', context.actions.signUpAction!])
    const bytes = requestBytes(context, 'POST /sign-up HTTP/1.1', sent, Buffer.from(body, 'utf8').toString('latin1'))
    const answer = await rawExchange(context.port, bytes)
    if (!answer) return { problem: 'closed without an answer' }
    // By the proxy (lib/security/action-body.ts), or by Next when the form names no action of ours.
    const refused =
      answer.status === 400 &&
      (answer.body.includes('Malformed server action request') || 'x-nextjs-action-not-found' in answer.headers)
    // With the header and an argument list, the action ran and refused the empty or garbage form.
    const actionRefused = answer.status === 200 && /"fieldErrors"|"error":"/.test(answer.body)
    // Without it, a body that is no action is the page's to answer (its HTML).
    const page = !action && answer.status === 200 && /<html/i.test(answer.body)
    return { answer, problem: refused || actionRefused || page ? undefined : `status ${answer.status}` }
  },
}

export const lyingLengths: TargetSpec<{ where: string; declared: string; body: string }> = {
  name: 'lying Content-Length',
  runs: [60, 15],
  arbitrary: fc.record({
    where: fc.constantFrom('POST /api/customers', 'POST /sign-up', 'POST /ingest/e/', 'POST /monitoring'),
    declared: fc.oneof(
      fc.nat(100_000).map(String),
      fc.constantFrom('-1', '1e3', '0x10', ' 12', '12, 13', '99999999999999999999', ''),
      printable(12),
    ),
    body: fc.oneof(anyText(300), fc.constant('{"name":"Lying Length","email":"lying@fuzz.example"}')),
  }),
  async send(context, { where, declared, body }) {
    const latin1 = Buffer.from(body, 'utf8').toString('latin1')
    const sent: [string, string][] = [
      ['Cookie', context.cookie],
      ['Content-Length', declared],
    ]
    sent.push(['Content-Type', where === 'POST /sign-up' ? 'multipart/form-data; boundary=x' : 'application/json'])
    if (where === 'POST /sign-up') sent.push(['Next-Action', context.actions.signUpAction!])
    const bytes = requestBytes(context, `${where} HTTP/1.1`, sent, latin1)
    const answer = await rawExchange(context.port, bytes, { halfClose: true })
    // The one body that is a valid customer may be created when the length it declares is its own.
    const truthful = declared.trim() === String(Buffer.byteLength(latin1, 'latin1'))
    const created = answer?.status === 201
    return {
      ...closedOr(answer, created && !truthful ? 'created from a lying length' : undefined),
      adds: created ? CREATED : {},
    }
  },
}

const queryValue = fc.oneof(
  anyText(),
  fc.webPath(),
  fc.constantFrom('%', '%zz', '%00', '%C0%AF', '-1', '1e9', '2.5', '0x2'),
)
const rawQueryValue = fc.oneof(
  queryValue.map(encode),
  fc.constantFrom('%', '%zz', '%%', '%E0%A4%A', '%00', '%ED%A0%80'),
)

/** Whether a path's `%` escapes decode (a client that sends one that does not deserves a 400). */
function decodes(path: string): boolean {
  try {
    decodeURIComponent(path)
    return true
  } catch {
    return false
  }
}

export const pages: TargetSpec<{ page: string; params: [string, string][] }> = {
  name: 'pages with query parameters',
  runs: [120, 30],
  arbitrary: fc.record({
    page: fc.oneof(
      fc.constantFrom('/sign-in', '/sign-up', '/customers', '/activity', '/'),
      anyText(40).map((id) => `/customers/${encode(id)}`),
      fc.uuid().map((id) => `/customers/${id}`),
    ),
    params: fc.array(fc.tuple(fc.constantFrom('callbackUrl', 'page', 'error', 'code', 'x'), rawQueryValue), {
      maxLength: 4,
    }),
  }),
  // A path escape that does not decode was a bare 500 behind the proxy (now 400, the Node hook).
  examples: [
    { page: '/customers/%ZZ', params: [] },
    { page: '/customers/%E0', params: [['page', '2']] },
  ],
  async send(context, { page, params }) {
    const query = params.map(([name, value]) => `${name}=${value}`).join('&')
    const signedOut = page.startsWith('/sign-')
    const response = await fetch(`${context.app.url}${page}${query ? `?${query}` : ''}`, {
      redirect: 'manual',
      headers: signedOut ? {} : { cookie: context.cookie },
    })
    const answer = await read(response)
    const location = answer.headers.location
    const malformed = !decodes(page)
    let problem = (malformed ? [400] : [200, 303, 307, 308, 404]).includes(answer.status)
      ? undefined
      : `status ${answer.status}`
    if (location && !(location.startsWith(context.app.url) || /^\/(?![/\\])/.test(location)))
      problem = `redirect off this origin: ${location}`
    return { answer, problem }
  },
}

export const metrics: TargetSpec<{ authorization: string }> = {
  name: '/api/metrics Authorization',
  runs: [80, 20],
  arbitrary: fc.record({
    authorization: fc.oneof(
      headerValue,
      headerValue.map((v) => `Bearer ${v}`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'bearer TOKEN',
        'Bearer TOKEN ',
        'Bearer  TOKEN',
        'Basic TOKEN',
        'Bearer TOKEN',
      ),
      headerValue.map((v) => `Bearer TOKEN${v}`),
    ),
  }),
  async send(context, { authorization }) {
    const value = authorization.replaceAll('TOKEN', context.metricsToken)
    const line = 'GET /api/metrics HTTP/1.1'
    const answer = await rawExchange(context.port, requestBytes(context, line, [['Authorization', value]]))
    if (!answer) return { problem: 'closed without an answer' }
    const deserved = value.trim() === `Bearer ${context.metricsToken}` ? 200 : 401
    // Node refuses some header bytes itself with a 400 before the route runs.
    const refusedByParser = answer.status === 400 && !answer.headers['x-request-id']
    return { answer, problem: answer.status === deserved || refusedByParser ? undefined : `status ${answer.status}` }
  },
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND', 'PURGE']
const pathTail = fc.oneof(
  fc.constantFrom('', '/', '/e/', '/i/v0/e/', '/flags/', '/decide/', '/static/array.js', '/array/phc_bad_input/config'),
  fc.webPath(),
  fc.array(anyText(20).map(encode), { maxLength: 4 }).map((segments) => `/${segments.join('/')}`),
)

function forwarder(prefix: '/ingest' | '/monitoring'): TargetSpec<{
  method: string
  tail: string
  contentType: string
  body: string
}> {
  return {
    name: prefix,
    runs: [80, 20],
    arbitrary: fc.record({
      method: fc.constantFrom(...METHODS),
      tail: prefix === '/ingest' ? pathTail : fc.oneof(fc.constant(''), pathTail),
      contentType: fc.oneof(
        fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'application/x-sentry-envelope', ''),
        printable(),
      ),
      body: fc.oneof(
        anyText(300),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.tuple(fc.webUrl(), anyText()).map(([dsn, item]) => `{"dsn":"${dsn}"}\n{"type":"event"}\n${item}`),
        fc.constant('DSN_ENVELOPE'),
      ),
    }),
    // Next answered TRACE, and a path escape that does not decode, with a 500 (lib/request/http-hook.ts
    // now refuses both).
    examples: [
      { method: 'TRACE', tail: '/e/', contentType: '', body: '' },
      { method: 'POST', tail: '/%E0', contentType: 'application/json', body: '{}' },
    ],
    async send(context, { method, tail, contentType, body }) {
      const envelope = body.replace('DSN_ENVELOPE', `{"dsn":"${context.sentryDsn}"}\n{"type":"event"}\n{}`)
      const sent: [string, string][] = contentType ? [['Content-Type', contentType]] : []
      const latin1 = Buffer.from(envelope, 'utf8').toString('latin1')
      const answer = await rawExchange(
        context.port,
        requestBytes(context, `${method} ${prefix}${tail} HTTP/1.1`, sent, latin1),
      )
      return answer ? { answer } : { problem: 'closed without an answer' }
    },
  }
}

export const forwarders = [forwarder('/ingest'), forwarder('/monitoring')]
