import { describe, expect, it } from 'vitest'
import { REDACTED, isSecretKey, redact, redactText, stripQueryValues } from '@/lib/observability/redact'

describe('isSecretKey', () => {
  it.each([
    'password', 'Password', 'passwd', 'password_hash', 'newPassword', 'secret', 'clientSecret', 'AUTH_SECRET',
    'token', 'access_token', 'refresh_token', 'id_token', 'sessionToken', 'authorization', 'Authorization',
    'cookie', 'Cookie', 'set-cookie', 'Set-Cookie', 'api_key', 'apiKey', 'x-api-key', 'dsn', 'sentryDsn', 'session',
  ])('%s is secret', (key) => expect(isSecretKey(key)).toBe(true))

  it.each(['user_id', 'request_id', 'email_domain', 'status', 'duration_ms', 'route', 'action', 'org_id'])(
    '%s is not secret',
    (key) => expect(isSecretKey(key)).toBe(false),
  )
})

describe('redact', () => {
  it('redacts secret keys at any depth, including inside arrays', () => {
    const input = {
      user: { id: 'u1', password: 'hunter2hunter2' },
      steps: [{ nested: { deeper: { access_token: 'tok-1', ok: true } } }],
      apiKey: 'k',
    }
    expect(redact(input)).toEqual({
      user: { id: 'u1', password: REDACTED },
      steps: [{ nested: { deeper: { access_token: REDACTED, ok: true } } }],
      apiKey: REDACTED,
    })
  })

  it('reduces header bags to the allow-list, for plain objects and Headers', () => {
    const bag = { 'User-Agent': 'curl', authorization: 'Bearer abc', cookie: 'sid=1', 'x-request-id': 'r1', 'x-custom': 'v' }
    expect(redact({ headers: bag })).toEqual({ headers: { 'user-agent': 'curl', 'x-request-id': 'r1' } })
    expect(redact({ req: { headers: new Headers(bag) } })).toEqual({ req: { headers: { 'user-agent': 'curl', 'x-request-id': 'r1' } } })
  })

  it('masks credentials inside free text', () => {
    expect(redactText('calling with Bearer eyJhbGciOi.abc.def now')).toBe(`calling with Bearer ${REDACTED} now`)
    expect(redactText('postgres://admin:s3cret@db:5432/app')).toBe(`postgres://${REDACTED}@db:5432/app`)
  })

  it('keeps an error readable while masking credentials in its message', () => {
    const error = Object.assign(new TypeError('failed for Bearer abc.def'), { digest: '123' })
    const out = redact(error) as Record<string, unknown>
    expect(out.type).toBe('TypeError')
    expect(out.message).toBe(`failed for Bearer ${REDACTED}`)
    expect(out.digest).toBe('123')
    expect(String(out.stack)).not.toContain('abc.def')
  })

  it('survives cycles and very deep objects', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    expect(redact(cyclic)).toEqual({ a: 1, self: '[Circular]' })
    let deep: Record<string, unknown> = { end: true }
    for (let i = 0; i < 20; i++) deep = { next: deep }
    expect(JSON.stringify(redact(deep))).toContain('[Truncated]')
  })
})

describe('stripQueryValues', () => {
  it.each([
    ['/customers', '/customers'],
    ['/customers?page=2', '/customers?page='],
    ['/sign-in?callbackUrl=%2Fcustomers&email=a%40b.c', '/sign-in?callbackUrl=&email='],
    ['/a?flag&x=1', '/a?flag=&x='],
    ['/a?', '/a?'],
  ])('%s → %s', (input, expected) => expect(stripQueryValues(input)).toBe(expected))
})
