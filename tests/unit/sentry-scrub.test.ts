import type { Breadcrumb, Event } from '@sentry/nextjs'
import { describe, expect, it } from 'vitest'
import { REDACTED_KEYS } from '@/lib/privacy/redact'
import { scrubBreadcrumb, scrubEvent, scrubReplayRecord, scrubSpan } from '@/lib/errors/scrub-event'
import { scrubText } from '@/lib/privacy'

const SECRETS = {
  password: 'hunter2-planted',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.planted',
  cookie: 'cookie-planted-42',
  email: 'jane.doe@example.com',
  queryToken: 'qtok-planted',
  apiKey: 'ak-planted-9',
  body: 'body-planted',
  urlPassword: 'urlpass-planted',
  fragmentToken: 'eyJmcmFnbWVudCI6InBsYW50ZWQifQ.c2lnbmF0dXJl',
} as const

const REQUEST_ID = '0f8c2a61-6f1d-4e0b-9c36-6a6b1f7e2d11'

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value)
  for (const [name, secret] of Object.entries(SECRETS)) expect(text, `${name} leaked`).not.toContain(secret)
}

// Each row plants secrets where SDKs and careless code put them.
const events: Array<[string, Event]> = [
  [
    'server error with a full request',
    {
      request: {
        method: 'POST',
        url: `https://app.example.com/login?token=${SECRETS.queryToken}&email=${encodeURIComponent(SECRETS.email)}`,
        query_string: `token=${SECRETS.queryToken}&email=${SECRETS.email}`,
        headers: {
          Cookie: `session=${SECRETS.cookie}`,
          Authorization: `Bearer ${SECRETS.bearer}`,
          'X-Api-Key': SECRETS.apiKey,
          'X-User-Email': SECRETS.email,
          Referer: `https://app.example.com/reset?token=${SECRETS.queryToken}`,
          'User-Agent': 'test-agent',
          'x-request-id': REQUEST_ID,
        },
        cookies: { session: SECRETS.cookie },
        data: { password: SECRETS.password, note: SECRETS.body },
        env: { REMOTE_ADDR: '203.0.113.9' },
      },
      user: { id: 'user_1', email: SECRETS.email, ip_address: '203.0.113.9', username: SECRETS.email },
      exception: {
        values: [
          {
            type: 'Error',
            value: `Login failed for ${SECRETS.email} calling https://api.example.com/v1?api_key=${SECRETS.apiKey}`,
            stacktrace: {
              frames: [{ filename: 'app.js', vars: { password: SECRETS.password, token: SECRETS.bearer } }],
            },
          },
        ],
      },
    },
  ],
  [
    'event with careless extra, contexts and tags',
    {
      message: `Bearer ${SECRETS.bearer} rejected`,
      extra: {
        form: { password: SECRETS.password, confirmPassword: SECRETS.password },
        session: { token: SECRETS.bearer },
        apiKey: SECRETS.apiKey,
      },
      contexts: {
        trace: {
          trace_id: 'a'.repeat(32),
          span_id: 'b'.repeat(16),
          data: { 'http.request.header.authorization': `Bearer ${SECRETS.bearer}` },
        },
        nextjs: { request_path: `/login?password=${SECRETS.password}` },
        database: { url: `postgres://app:${SECRETS.urlPassword}@db.example.com/app` },
      },
      tags: { session_token: SECRETS.bearer, request_id: REQUEST_ID },
    },
  ],
  [
    'browser event with breadcrumbs',
    {
      request: {
        url: `https://app.example.com/reset?token=${SECRETS.queryToken}`,
        headers: { 'User-Agent': 'browser' },
      },
      breadcrumbs: [
        { category: 'fetch', data: { method: 'GET', url: `/api/me?token=${SECRETS.queryToken}`, status_code: 200 } },
        { category: 'navigation', data: { from: `/reset?token=${SECRETS.queryToken}`, to: '/login' } },
        {
          category: 'console',
          message: `user ${SECRETS.email} has Authorization: Bearer ${SECRETS.bearer}`,
          data: { arguments: [{ password: SECRETS.password }] },
        },
        { category: 'xhr', data: { url: `https://${SECRETS.email}:${SECRETS.urlPassword}@api.example.com/x` } },
      ],
    },
  ],
  [
    'transaction with spans',
    {
      type: 'transaction',
      transaction: `/reset?token=${SECRETS.queryToken}`,
      request: {
        url: `https://app.example.com/reset?token=${SECRETS.queryToken}`,
        query_string: [['token', SECRETS.queryToken]],
      },
      spans: [
        {
          span_id: 'c'.repeat(16),
          trace_id: 'a'.repeat(32),
          start_timestamp: 1,
          status: 'ok',
          description: `GET https://api.example.com/users?email=${SECRETS.email}`,
          data: {
            'url.full': `https://api.example.com/users?password=${SECRETS.password}`,
            'http.query': `password=${SECRETS.password}`,
            'url.query': `?token=${SECRETS.queryToken}`,
            'http.request.header.cookie': `session=${SECRETS.cookie}`,
          },
        },
      ],
    },
  ],
  [
    // OAuth's implicit flow, magic links: the token arrives in the fragment, which the browser
    // SDK keeps in the page's URL, the referer, navigation breadcrumbs and transaction names.
    'browser event on a page with a token in its fragment',
    {
      transaction: `/cb#access_token=${SECRETS.fragmentToken}`,
      request: {
        url: `https://app.example.com/cb#access_token=${SECRETS.fragmentToken}&state=xyz`,
        headers: { Referer: `https://app.example.com/verify#${SECRETS.fragmentToken}` },
      },
      breadcrumbs: [
        {
          category: 'navigation',
          data: { from: `/cb#access_token=${SECRETS.fragmentToken}&state=xyz`, to: '/customers#top' },
        },
        { category: 'fetch', data: { url: `https://api.example.com/me#id_token=${SECRETS.fragmentToken}` } },
      ],
      exception: { values: [{ type: 'Error', value: `failed at /verify#${SECRETS.fragmentToken}` }] },
    },
  ],
  [
    'query string as an object',
    { request: { url: '/search', query_string: { q: SECRETS.email, token: SECRETS.queryToken } } },
  ],
]

describe('scrubEvent', () => {
  it.each(events)('%s: no planted secret survives', (_name, event) => {
    expectNoSecret(scrubEvent(event))
  })

  it('keeps what on-call needs: the request ID, header names, query parameter names, the user ID', () => {
    const [, event] = events[0]!
    const scrubbed = scrubEvent(event)
    expect(scrubbed.tags).toEqual({ request_id: REQUEST_ID })
    expect(scrubbed.user).toEqual({ id: 'user_1' })
    expect(scrubbed.request?.url).toBe('https://app.example.com/login?token=&email=')
    expect(scrubbed.request?.query_string).toBe('token=&email=')
    expect(scrubbed.request?.headers).toEqual({
      'user-agent': 'test-agent',
      'x-request-id': REQUEST_ID,
      referer: 'https://app.example.com/reset?token=',
    })
    expect(scrubbed.request).not.toHaveProperty('cookies')
    expect(scrubbed.request).not.toHaveProperty('data')
    expect(scrubbed.request).not.toHaveProperty('env')
    expect(scrubbed.exception?.values?.[0]?.value).toBe(
      'Login failed for [email] calling https://api.example.com/v1?api_key=',
    )
    expect(scrubbed.exception?.values?.[0]?.stacktrace?.frames?.[0]?.vars).toEqual({
      password: '[REDACTED]',
      token: '[REDACTED]',
    })
  })

  it('keeps the names of a fragment of pairs, and a plain anchor, and redacts any other fragment', () => {
    const scrubbed = scrubEvent(events.find(([name]) => name.includes('fragment'))![1])
    expect(scrubbed.request?.url).toBe('https://app.example.com/cb#access_token=&state=')
    expect(scrubbed.request?.headers).toEqual({ referer: 'https://app.example.com/verify#[REDACTED]' })
    expect(scrubbed.transaction).toBe('/cb#access_token=')
    expect(scrubbed.breadcrumbs?.[0]?.data).toEqual({ from: '/cb#access_token=&state=', to: '/customers#top' })
    expect(scrubbed.breadcrumbs?.[1]?.data).toEqual({ url: 'https://api.example.com/me#id_token=' })
    expect(scrubbed.exception?.values?.[0]?.value).toBe('failed at /verify#[REDACTED]')
  })

  it('redacts every key on the logger redaction list (one source of truth)', () => {
    const extra = Object.fromEntries(REDACTED_KEYS.map((key) => [key, `value-of-${key}`]))
    const scrubbed = scrubEvent({ extra })
    for (const key of REDACTED_KEYS) expect(scrubbed.extra?.[key]).toBe('[REDACTED]')
  })

  it('drops a user without an ID: anonymous events carry no user', () => {
    expect(scrubEvent({ user: { ip_address: '203.0.113.9' } })).not.toHaveProperty('user')
    expect(scrubEvent({})).not.toHaveProperty('user')
  })

  it('takes the request ID from the argument, else the existing tag, else the x-request-id header', () => {
    const withHeader: Event = { request: { headers: { 'X-Request-Id': 'from-header' } } }
    expect(scrubEvent(withHeader).tags?.request_id).toBe('from-header')
    expect(scrubEvent({ ...withHeader, tags: { request_id: 'from-tag' } }).tags?.request_id).toBe('from-tag')
    expect(scrubEvent({ ...withHeader, tags: { request_id: 'from-tag' } }, 'from-context').tags?.request_id).toBe(
      'from-context',
    )
    const empty: Event = {}
    expect(scrubEvent(empty, 'bad id with spaces').tags).toBeUndefined()
  })

  it('does not modify the event it is given', () => {
    const [, event] = events[0]!
    const before = JSON.stringify(event)
    scrubEvent(event)
    expect(JSON.stringify(event)).toBe(before)
  })
})

describe('scrubBreadcrumb, scrubSpan, scrubReplayRecord, scrubText', () => {
  it('scrub breadcrumbs on their own (beforeBreadcrumb)', () => {
    const [, event] = events[2]!
    for (const breadcrumb of event.breadcrumbs as Breadcrumb[]) expectNoSecret(scrubBreadcrumb(breadcrumb))
    expect(scrubBreadcrumb({ category: 'fetch', data: { url: `/api/me?token=${SECRETS.queryToken}` } }).data?.url).toBe(
      '/api/me?token=',
    )
  })

  it('scrub standalone spans', () => {
    expectNoSecret(
      scrubSpan({
        description: `GET /x?password=${SECRETS.password}`,
        data: { 'http.query': `token=${SECRETS.queryToken}` },
      }),
    )
  })

  it("scrub a session replay's custom records (breadcrumbs, network spans) and leave the DOM snapshot alone", () => {
    const breadcrumb = { type: 5, data: { tag: 'breadcrumb', payload: { message: `to ${SECRETS.email}` } } }
    expectNoSecret(scrubReplayRecord(breadcrumb))
    const span = {
      type: 5,
      data: {
        tag: 'performanceSpan',
        payload: { description: `https://app.example.com/reset?token=${SECRETS.queryToken}` },
      },
    }
    expect(scrubReplayRecord(span).data).toEqual({
      tag: 'performanceSpan',
      payload: { description: 'https://app.example.com/reset?token=' },
    })
    const snapshot = { type: 2, data: { node: { text: 'already masked by replay' } } }
    expect(scrubReplayRecord(snapshot)).toBe(snapshot)
  })

  it.each([
    ['Bearer abc.def', 'Bearer [REDACTED]'],
    ['GET /a?x=1&y=two#frag', 'GET /a?x=&y=#frag'],
    ['GET /a?x=1#access_token=abc&state=s', 'GET /a?x=#access_token=&state='],
    ['mail jane.doe@example.com now', 'mail [email] now'],
    ['postgres://u:p@db/app', 'postgres://[REDACTED]@db/app'],
    ['react-dom@19.3.1 and 127.0.0.1', 'react-dom@19.3.1 and 127.0.0.1'],
  ])('scrubText(%j) → %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected)
  })
})
