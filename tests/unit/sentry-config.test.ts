import { describe, expect, it } from 'vitest'
import { parseDsn } from '@/lib/env'
import {
  sentryEnvironment,
  sentryRelease,
  spotlightFrom,
  tracesSampleRate,
  tracingOptions,
} from '@/lib/errors/settings'
import { envelopeDsn, envelopeUrlFor, isSameDsn } from '@/lib/errors/tunnel'

describe('parseDsn and envelopeUrlFor', () => {
  it.each([
    ['sentry.io', 'https://abc123@o42.ingest.us.sentry.io/4508', 'https://o42.ingest.us.sentry.io/api/4508/envelope/'],
    ['self-hosted Sentry', 'https://abc123@sentry.example.com/7', 'https://sentry.example.com/api/7/envelope/'],
    [
      'self-hosted under a path prefix',
      'https://abc123@example.com/tools/sentry/7',
      'https://example.com/tools/sentry/api/7/envelope/',
    ],
    ['GlitchTip', 'https://abc123@app.glitchtip.com/12', 'https://app.glitchtip.com/api/12/envelope/'],
    ['a local recorder with a port', 'http://publickey@127.0.0.1:9123/1', 'http://127.0.0.1:9123/api/1/envelope/'],
    [
      'a legacy DSN with a secret key',
      'https://public:secret@sentry.example.com/3',
      'https://sentry.example.com/api/3/envelope/',
    ],
  ])('%s', (_name, dsn, url) => {
    const parsed = parseDsn(dsn)
    expect(parsed).toBeDefined()
    expect(envelopeUrlFor(parsed!)).toBe(url)
  })

  it('knows the parts', () => {
    expect(parseDsn('https://abc123@example.com/tools/sentry/7')).toEqual({
      protocol: 'https:',
      publicKey: 'abc123',
      host: 'example.com',
      pathPrefix: '/tools/sentry',
      projectId: '7',
    })
  })

  it.each([
    undefined,
    '',
    'not a url',
    'https://sentry.example.com/7', // no key
    'https://abc@sentry.example.com/', // no project
    'https://abc@sentry.example.com/project-name', // project IDs are numbers
    'ftp://abc@sentry.example.com/7',
    'https://abc@sentry.example.com/7?x=1',
  ])('rejects %j', (dsn) => {
    expect(parseDsn(dsn)).toBeUndefined()
  })

  it('compares DSNs by their parts: key, host, prefix and project must all match', () => {
    const configured = parseDsn('https://abc@sentry.example.com/7')!
    expect(isSameDsn(parseDsn('https://abc@SENTRY.example.com/7')!, configured)).toBe(true)
    expect(isSameDsn(parseDsn('https://other@sentry.example.com/7')!, configured)).toBe(false)
    expect(isSameDsn(parseDsn('https://abc@sentry.example.com/8')!, configured)).toBe(false)
    expect(isSameDsn(parseDsn('https://abc@evil.example.com/7')!, configured)).toBe(false)
    expect(isSameDsn(parseDsn('https://abc@sentry.example.com/x/7')!, configured)).toBe(false)
    expect(isSameDsn(parseDsn('http://abc@sentry.example.com/7')!, configured)).toBe(false)
  })
})

describe('envelopeDsn', () => {
  const encode = (text: string) => new TextEncoder().encode(text)

  it('reads the dsn from the envelope header line only', () => {
    expect(
      envelopeDsn(encode('{"dsn":"https://a@b.example.com/1","sent_at":"x"}\n{"type":"event"}\n{"dsn":"ignored"}\n')),
    ).toBe('https://a@b.example.com/1')
  })

  it.each([['{"type":"event"}\n{}'], ['not json\n{}'], [''], ['{"dsn":42}\n']])('is undefined for %j', (body) => {
    expect(envelopeDsn(encode(body))).toBeUndefined()
  })

  it('does not need the rest to be text (replay recordings are binary)', () => {
    const head = encode('{"dsn":"https://a@b.example.com/1"}\n')
    const body = new Uint8Array([...head, 0xff, 0x00, 0x0a, 0x9c])
    expect(envelopeDsn(body)).toBe('https://a@b.example.com/1')
  })
})

describe('environment, release, sampling, Spotlight', () => {
  it('environment: SENTRY_ENVIRONMENT, else VERCEL_ENV, else NODE_ENV', () => {
    expect(sentryEnvironment({ SENTRY_ENVIRONMENT: 'staging', VERCEL_ENV: 'preview', NODE_ENV: 'production' })).toBe(
      'staging',
    )
    expect(sentryEnvironment({ SENTRY_ENVIRONMENT: ' ', VERCEL_ENV: 'preview', NODE_ENV: 'production' })).toBe(
      'preview',
    )
    expect(sentryEnvironment({ NODE_ENV: 'production' })).toBe('production')
    expect(sentryEnvironment({})).toBe('development')
  })

  it('release: the commit SHA when known', () => {
    expect(sentryRelease({ VERCEL_GIT_COMMIT_SHA: 'abc123', GIT_COMMIT_SHA: 'def456' })).toBe('abc123')
    expect(sentryRelease({ GIT_COMMIT_SHA: 'def456' })).toBe('def456')
    expect(sentryRelease({})).toBeUndefined()
  })

  it('traces: 0.1 unless a rate in [0, 1] is given', () => {
    expect(tracesSampleRate(undefined)).toBe(0.1)
    expect(tracesSampleRate('')).toBe(0.1)
    expect(tracesSampleRate('0')).toBe(0)
    expect(tracesSampleRate('1')).toBe(1)
    expect(tracesSampleRate('0.25')).toBe(0.25)
    expect(tracesSampleRate('2')).toBe(0.1)
    expect(tracesSampleRate('lots')).toBe(0.1)
    // 0 is errors only: null, since the SDK treats a 0 as tracing on, sampling none.
    expect(tracingOptions(0)).toEqual({ tracesSampleRate: null })
    expect(tracingOptions(0.25)).toEqual({ tracesSampleRate: 0.25 })
  })

  it('Spotlight: only in development, only when asked for', () => {
    expect(spotlightFrom('1', 'development')).toBe(true)
    expect(spotlightFrom('http://localhost:8969/stream', 'development')).toBe('http://localhost:8969/stream')
    expect(spotlightFrom('1', 'production')).toBe(false)
    expect(spotlightFrom('0', 'development')).toBe(false)
    expect(spotlightFrom(undefined, 'development')).toBe(false)
  })
})
