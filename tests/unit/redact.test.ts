import { describe, expect, it } from 'vitest'
import {
  REDACTED,
  isSecretKey,
  redact,
  redactText,
  stripFragmentValues,
  stripQueryValues,
  stripQueryValuesFromUrls,
  stripUrlQueryValues,
} from '@/lib/privacy/redact'

describe('isSecretKey', () => {
  it.each([
    'password',
    'Password',
    'passwd',
    'password_hash',
    'newPassword',
    'secret',
    'clientSecret',
    'AUTH_SECRET',
    'token',
    'access_token',
    'refresh_token',
    'id_token',
    'sessionToken',
    'authorization',
    'Authorization',
    'cookie',
    'Cookie',
    'set-cookie',
    'Set-Cookie',
    'api_key',
    'apiKey',
    'x-api-key',
    'dsn',
    'sentryDsn',
    'session',
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
    const bag = {
      'User-Agent': 'curl',
      authorization: 'Bearer abc',
      cookie: 'sid=1',
      'x-request-id': 'r1',
      'x-custom': 'v',
    }
    expect(redact({ headers: bag })).toEqual({ headers: { 'user-agent': 'curl', 'x-request-id': 'r1' } })
    expect(redact({ req: { headers: new Headers(bag) } })).toEqual({
      req: { headers: { 'user-agent': 'curl', 'x-request-id': 'r1' } },
    })
  })

  it('masks credentials inside free text', () => {
    expect(redactText('calling with Bearer eyJhbGciOi.abc.def now')).toBe(`calling with Bearer ${REDACTED} now`)
    expect(redactText('postgres://admin:s3cret@db:5432/app')).toBe(`postgres://${REDACTED}@db:5432/app`)
  })

  it('drops query values in free text, and a query name that is not plain: a token sent as a bare key', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'
    expect(redactText(`GET http://h/status?${token} 500`)).toBe(`GET http://h/status?${REDACTED} 500`)
    expect(redactText(`from /a?page=2&${token}= to /b?q=x`)).toBe(`from /a?page=&${REDACTED}= to /b?q=`)
    expect(redactText('/reset?token=abc&debug')).toBe('/reset?token=&debug')
    expect(redactText('/x?%ZZ')).toBe(`/x?${REDACTED}`) // a name that does not decode
    // Plain words after ? or & are names to it, and stay: prose is not mangled.
    expect(redactText('R&D asked why? because')).toBe('R&D asked why? because')
    // Idempotent: what it writes passes through it unchanged.
    expect(redactText(redactText(`/s?${token}`))).toBe(`/s?${REDACTED}`)
  })

  it('strips the fragment of a URL in free text by the same rule, and leaves other #s alone', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'
    expect(redactText(`navigated from https://app.example/cb#access_token=${token}&state=x to /customers`)).toBe(
      'navigated from https://app.example/cb#access_token=&state= to /customers',
    )
    expect(redactText(`GET /cb?code=1#id_token=${token} 200`)).toBe('GET /cb?code=#id_token= 200')
    expect(redactText(`"url":"/verify#${token}"`)).toBe(`"url":"/verify#${REDACTED}"`)
    expect(redactText('see /docs/errors#the-tunnel and /pricing#pricing')).toBe(
      'see /docs/errors#the-tunnel and /pricing#pricing',
    )
    // Auth.js's error links name the error in their anchor, a long lowercase word.
    const authError = 'Read more at https://errors.authjs.dev#callbackrouteerror'
    expect(redactText(authError)).toBe(authError)
    // Not a URL's fragment: no `/` before the `#` in the same word.
    const prose = 'issue #1234 in C#, at Foo.#handleIncomingConnectionRequest (/app/x.js:1:2), color #ff0000'
    expect(redactText(prose)).toBe(prose)
    expect(redactText(redactText(`/cb#${token}`))).toBe(`/cb#${REDACTED}`)
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
    ['/a?filter[status]=open', '/a?filter%5Bstatus%5D='],
    ['/a?', '/a?'],
    // A value sent as a bare key is not a name: a JWT, a token with base64's characters.
    ['/status?eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SECRETJWT', '/status?[REDACTED]='],
    ['/a?page=2&dGVzdA+/k=', '/a?page=&[REDACTED]='],
    ['/a?%E0=1', '/a?[REDACTED]='],
    // The fragment by stripFragmentValues's rule, after the query, whatever the query holds.
    ['/cb?code=abc&state=x#access_token=eyJhbGciOi.eyJzdWIi.c2ln&state=x', '/cb?code=&state=#access_token=&state='],
    ['/cb#access_token=eyJhbGciOi.eyJzdWIi.c2ln&expires_in=3600', '/cb#access_token=&expires_in='],
    ['/pricing#pricing', '/pricing#pricing'],
    ['/docs?page=2#section-2', '/docs?page=#section-2'],
    ['/verify#9f86d081884c7d659a2feaa0c55ad015', '/verify#[REDACTED]'],
    ['/a#', '/a#'],
    // A `?` after the `#` is the fragment's: a client-side route is not a query.
    ['/app#/reset?token=abc', '/app#[REDACTED]='],
  ])('%s → %s', (input, expected) => expect(stripQueryValues(input)).toBe(expected))
})

describe('stripFragmentValues', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWN0aW0ifQ.c2lnbmF0dXJl'
  it.each([
    // Plain anchors: short, words of letters and digits.
    ['pricing', 'pricing'],
    ['section-2', 'section-2'],
    ['user-content-installation', 'user-content-installation'],
    ['L10-L20', 'L10-L20'],
    ['', ''],
    // A long word is an anchor: Auth.js's error links (errors.authjs.dev#callbackrouteerror).
    ['callbackrouteerror', 'callbackrouteerror'],
    ['internationalization', 'internationalization'],
    ['i18n-internationalization-guide', 'i18n-internationalization-guide'],
    // name=value pairs, as OAuth's implicit flow and magic links send tokens: names stay, values go.
    [`access_token=${jwt}&token_type=bearer&state=xyz`, 'access_token=&token_type=&state='],
    [`id_token=${jwt}`, 'id_token='],
    [`${jwt}=1&state=x`, '[REDACTED]=&state='],
    // Anything else: a bare token (JWT, 32 or 64 hex digits, a UUID), a client-side route.
    [jwt, '[REDACTED]'],
    ['d41d8cd98f00b204e9800998ecf8427e', '[REDACTED]'],
    ['9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', '[REDACTED]'],
    ['550e8400-e29b-41d4-a716-446655440000', '[REDACTED]'],
    // 17 or more letters and digits in a row with a digit or a capital: a token, not a word.
    ['d41d8cd98f00b204e', '[REDACTED]'], // 17 hex digits
    ['abcdefabcdefabcdef1', '[REDACTED]'], // hex, one digit
    ['dGhpc2lzYXRva2VuMQ', '[REDACTED]'], // base64url with digits
    ['q7v-kx_3hXp9ZtLmN2wRbC4y', '[REDACTED]'], // base64url: the separators are its own characters
    ['cAllbAckrouteError', '[REDACTED]'], // mixed case, no digit
    ['ABCDEFGHIJKLMNOPQ', '[REDACTED]'], // capitals only
    ['docs-thisisalongword1234567', '[REDACTED]'], // a long run after a word
    ['/customers/42', '[REDACTED]'],
    ['a very long anchor that is really a sentence', '[REDACTED]'],
  ])('%j → %j', (fragment, expected) => expect(stripFragmentValues(fragment)).toBe(expected))

  it('is idempotent: what it writes passes through it unchanged', () => {
    for (const fragment of [jwt, `access_token=${jwt}&${jwt}=1`, 'pricing'])
      expect(stripFragmentValues(stripFragmentValues(fragment))).toBe(stripFragmentValues(fragment))
  })
})

describe('stripUrlQueryValues', () => {
  it.each([
    // A plain anchor stays; the fragment is stripped by its own rule (stripFragmentValues).
    ['https://app.example/customers?q=ada%40example.com#top', 'https://app.example/customers?q=#top'],
    [
      'https://app.example/cb#access_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln&token_type=bearer',
      'https://app.example/cb#access_token=&token_type=',
    ],
    ['/customers#eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln', '/customers#[REDACTED]'],
    ['#channel', '#channel'],
    [
      'http://127.0.0.1:3000/sign-in?callbackUrl=%2Fcustomers%3Fsecret%3Dx',
      'http://127.0.0.1:3000/sign-in?callbackUrl=',
    ],
    ['/sign-in?callbackUrl=%2Fcustomers', '/sign-in?callbackUrl='],
    ['https://app.example/customers', 'https://app.example/customers'],
    ['$direct', '$direct'],
    ['what? no', 'what? no'],
    ['customer_created', 'customer_created'],
  ])('%s → %s', (input, expected) => expect(stripUrlQueryValues(input)).toBe(expected))
})

describe('stripQueryValuesFromUrls', () => {
  it('strips every URL-valued property at any depth, whatever its name, and leaves the rest', () => {
    const planted = 'https://app.example/sign-in?callbackUrl=%2Fcustomers%3Fsecret%3Dplanted123'
    const event = {
      uuid: '0190-uuid',
      event: '$pageview',
      properties: {
        $current_url: 'https://app.example/cb#access_token=planted123&state=x',
        $prev_pageview_url: 'https://app.example/verify#planted123planted123planted123',
        $session_entry_url: planted,
        $referrer: 'https://search.example/?q=planted123',
        $pathname: '/sign-in',
        a_property_posthog_adds_next_year: planted,
        $groups: { organization: 'org-1' },
        feature: 'customers',
        list: [planted, 3],
      },
      $set_once: { $initial_current_url: planted, $initial_referrer: '$direct' },
      $set: { $current_url: planted },
      timestamp: new Date(0),
    }
    const out = stripQueryValuesFromUrls(event)
    expect(JSON.stringify(out)).not.toContain('planted123')
    expect(out.properties.$current_url).toBe('https://app.example/cb#access_token=&state=')
    expect(out.properties.$prev_pageview_url).toBe('https://app.example/verify#[REDACTED]')
    expect(out.properties.$session_entry_url).toBe('https://app.example/sign-in?callbackUrl=')
    expect(out.properties.$referrer).toBe('https://search.example/?q=')
    expect(out.$set_once).toEqual({
      $initial_current_url: 'https://app.example/sign-in?callbackUrl=',
      $initial_referrer: '$direct',
    })
    expect(out.properties.list).toEqual(['https://app.example/sign-in?callbackUrl=', 3])
    expect(out.properties).toMatchObject({
      $pathname: '/sign-in',
      $groups: { organization: 'org-1' },
      feature: 'customers',
    })
    expect(out.timestamp).toBe(event.timestamp)
    expect(event.properties.$session_entry_url).toBe(planted) // the SDK's own object is not changed
  })
})
