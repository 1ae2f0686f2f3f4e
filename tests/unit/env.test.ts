import { describe, expect, it } from 'vitest'
import { ENV_VARS, EnvError, hostIsTrusted, isProductionRuntime, parseEnv } from '@/lib/env'

const UNSET = {
  DATABASE_URL: undefined,
  LOG_LEVEL: undefined,
  DEBUG_ROUTES: false,
  NEXT_PUBLIC_SENTRY_DSN: undefined,
  SENTRY_ENVIRONMENT: undefined,
  SENTRY_TRACES_SAMPLE_RATE: undefined,
  SENTRY_AUTH_TOKEN: undefined,
  SENTRY_ORG: undefined,
  SENTRY_PROJECT: undefined,
  SENTRY_SPOTLIGHT: undefined,
  POSTHOG_HOST: 'https://us.i.posthog.com',
  POSTHOG_ASSETS_HOST: 'https://us-assets.i.posthog.com',
  AUTH_SECRET: undefined,
  AUTH_GITHUB_ID: undefined,
  AUTH_GITHUB_SECRET: undefined,
  AUTH_URL: undefined,
  AUTH_TRUST_HOST: false,
  TRUSTED_PROXY_HOPS: undefined,
  SHUTDOWN_TIMEOUT_MS: 8000,
  VERCEL: undefined,
  METRICS_PORT: undefined,
  METRICS_HOST: '127.0.0.1',
  OTEL_PROPAGATE_TO: [],
}

describe('parseEnv', () => {
  it('accepts an empty environment outside production: every integration is optional', () => {
    expect(parseEnv({ NODE_ENV: 'development' })).toEqual(UNSET)
  })

  it('treats empty strings as unset', () => {
    expect(
      parseEnv({
        NODE_ENV: 'development',
        DATABASE_URL: '',
        LOG_LEVEL: ' ',
        DEBUG_ROUTES: '',
        NEXT_PUBLIC_SENTRY_DSN: ' ',
        SENTRY_TRACES_SAMPLE_RATE: '',
        POSTHOG_HOST: '',
        NEXT_PUBLIC_POSTHOG_KEY: '',
        AUTH_SECRET: '',
        AUTH_GITHUB_ID: ' ',
        AUTH_GITHUB_SECRET: '',
      }),
    ).toEqual(UNSET)
  })

  it('accepts Sentry settings and names a bad one', () => {
    const parsed = parseEnv({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/app',
      AUTH_SECRET: 'a'.repeat(32),
      AUTH_URL: 'https://app.example.com',
      NEXT_PUBLIC_SENTRY_DSN: 'https://key@sentry.example.com/sentry/7',
      SENTRY_TRACES_SAMPLE_RATE: '0.5',
      SENTRY_SPOTLIGHT: '1',
    })
    expect(parsed.NEXT_PUBLIC_SENTRY_DSN).toBe('https://key@sentry.example.com/sentry/7')
    expect(parsed.SENTRY_TRACES_SAMPLE_RATE).toBe(0.5)
    expect(() => parseEnv({ NODE_ENV: 'development', NEXT_PUBLIC_SENTRY_DSN: 'sentry.example.com' })).toThrow(
      /^NEXT_PUBLIC_SENTRY_DSN must look like .*It is the Sentry/,
    )
    expect(() => parseEnv({ NODE_ENV: 'development', SENTRY_TRACES_SAMPLE_RATE: '5' })).toThrow(
      /^SENTRY_TRACES_SAMPLE_RATE /,
    )
  })

  it('names the variable and what it is for when a value is invalid', () => {
    expect(() => parseEnv({ NODE_ENV: 'development', DATABASE_URL: 'mysql://db/app' })).toThrow(EnvError)
    try {
      parseEnv({ NODE_ENV: 'development', DATABASE_URL: 'mysql://db/app', LOG_LEVEL: 'loud' })
    } catch (error) {
      const lines = (error as Error).message.split('\n')
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(/^DATABASE_URL .*It is the database/)
      expect(lines[1]).toMatch(/^LOG_LEVEL .*It is the lowest log level/)
    }
  })

  const secret = 'x'.repeat(44)
  const origin = { AUTH_URL: 'https://app.example.com' }

  it('requires DATABASE_URL in a running production server', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', AUTH_SECRET: secret })).toThrow(
      /^DATABASE_URL is required in production/,
    )
    expect(() => parseEnv({ NODE_ENV: 'production', AUTH_SECRET: secret, DATABASE_URL: '' })).toThrow(/DATABASE_URL/)
    expect(
      parseEnv({ NODE_ENV: 'production', AUTH_SECRET: secret, DATABASE_URL: 'postgres://db/app', ...origin })
        .DATABASE_URL,
    ).toBe('postgres://db/app')
  })

  it('requires AUTH_SECRET in a running production server, and a long one anywhere', () => {
    // Unset and too short both say how to make one, in the same words.
    const howTo = '(make one with npx auth secret, or openssl rand -base64 32)'
    expect(() => parseEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' })).toThrow(
      `AUTH_SECRET is required in production and is not set ${howTo}. It is the key that signs and encrypts session cookies`,
    )
    expect(() => parseEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app', AUTH_SECRET: ' ' })).toThrow(
      `AUTH_SECRET is required in production and is not set ${howTo}.`,
    )
    expect(() => parseEnv({ NODE_ENV: 'development', AUTH_SECRET: 'short' })).toThrow(
      `AUTH_SECRET must be at least 32 characters ${howTo}.`,
    )
    // A variable without a hint keeps the plain sentence.
    expect(() => parseEnv({ NODE_ENV: 'production', AUTH_SECRET: secret })).toThrow(
      /^DATABASE_URL is required in production and is not set\. It is the database/,
    )
    expect(parseEnv({ NODE_ENV: 'development' }).AUTH_SECRET).toBeUndefined() // development generates one
  })

  it('refuses a production server whose origin would come from an untrusted Host header', () => {
    const base = { NODE_ENV: 'production', AUTH_SECRET: secret, DATABASE_URL: 'postgres://db/app' } as const
    expect(() => parseEnv(base)).toThrow(
      /^AUTH_URL is required in production \(or AUTH_TRUST_HOST=true .*\)\. It is the public URL of the app/,
    )
    expect(() => parseEnv({ ...base, AUTH_TRUST_HOST: 'false' })).toThrow(/^AUTH_URL is required in production/)
    expect(() => parseEnv({ ...base, AUTH_URL: 'app.example.com' })).toThrow(
      /^AUTH_URL must be the app's public http\(s\) URL/,
    )
    for (const trusted of [
      { AUTH_URL: 'https://app.example.com' },
      { AUTH_TRUST_HOST: 'true' },
      { AUTH_TRUST_HOST: '1' },
      { VERCEL: '1' },
    ]) {
      const config = parseEnv({ ...base, ...trusted })
      expect(hostIsTrusted(config, { NODE_ENV: 'production' })).toBe(true)
    }
    // Development trusts the Host header (a laptop has no other origin); production does not by default.
    expect(hostIsTrusted(parseEnv({ NODE_ENV: 'development' }), { NODE_ENV: 'development' })).toBe(true)
    expect(hostIsTrusted(parseEnv({ NODE_ENV: 'development' }), { NODE_ENV: 'production' })).toBe(false)
  })

  it('takes the number of trusted proxy hops, 0 to 10', () => {
    expect(parseEnv({ NODE_ENV: 'development', TRUSTED_PROXY_HOPS: '1' }).TRUSTED_PROXY_HOPS).toBe(1)
    expect(() => parseEnv({ NODE_ENV: 'development', TRUSTED_PROXY_HOPS: '-1' })).toThrow(
      /^TRUSTED_PROXY_HOPS .*It is how many proxies/,
    )
    expect(() => parseEnv({ NODE_ENV: 'development', TRUSTED_PROXY_HOPS: 'one' })).toThrow(/^TRUSTED_PROXY_HOPS /)
    for (const value of ['-1', '1.5', '11', 'one'])
      expect(() => parseEnv({ NODE_ENV: 'development', TRUSTED_PROXY_HOPS: value }), value).toThrow(
        /^TRUSTED_PROXY_HOPS must be a whole number from 0 to 10/,
      )
  })

  it('takes a shutdown deadline from 1 s to 2 min, in milliseconds', () => {
    expect(parseEnv({ NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '15000' }).SHUTDOWN_TIMEOUT_MS).toBe(15000)
    expect(() => parseEnv({ NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '500' })).toThrow(
      /^SHUTDOWN_TIMEOUT_MS must be at least 1000 \(1 second\).*It is how long the Node server may take to stop/,
    )
    expect(() => parseEnv({ NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '10s' })).toThrow(/^SHUTDOWN_TIMEOUT_MS /)
    expect(() => parseEnv({ NODE_ENV: 'development', SHUTDOWN_TIMEOUT_MS: '600000' })).toThrow(/at most 120000/)
  })

  it('wants both halves of the GitHub OAuth app or neither', () => {
    expect(() => parseEnv({ NODE_ENV: 'development', AUTH_GITHUB_ID: 'id' })).toThrow(
      /^AUTH_GITHUB_SECRET is required when AUTH_GITHUB_ID is set/,
    )
    expect(() => parseEnv({ NODE_ENV: 'development', AUTH_GITHUB_SECRET: 's' })).toThrow(
      /^AUTH_GITHUB_ID is required when AUTH_GITHUB_SECRET is set/,
    )
    expect(parseEnv({ NODE_ENV: 'development', AUTH_GITHUB_ID: 'id', AUTH_GITHUB_SECRET: 's' })).toMatchObject({
      AUTH_GITHUB_ID: 'id',
    })
  })

  it('takes a metrics port and address, and names each mistake', () => {
    const dev = { NODE_ENV: 'development' } as const
    expect(parseEnv(dev).METRICS_PORT).toBeUndefined()
    expect(parseEnv({ ...dev, METRICS_PORT: '9464' })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: '127.0.0.1' })
    expect(parseEnv({ ...dev, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toMatchObject({
      METRICS_HOST: '0.0.0.0',
    })
    expect(parseEnv({ ...dev, METRICS_PORT: '9464', METRICS_HOST: '::1' })).toMatchObject({ METRICS_HOST: '::1' })
    expect(() => parseEnv({ ...dev, METRICS_PORT: 'metrics' })).toThrow(
      /^METRICS_PORT must be a port number.*It is the port/,
    )
    expect(() => parseEnv({ ...dev, METRICS_PORT: '70000' })).toThrow(/^METRICS_PORT must be a port from 1 to 65535/)
    expect(() => parseEnv({ ...dev, METRICS_PORT: '9464', METRICS_HOST: 'http://x' })).toThrow(
      /^METRICS_HOST must be an address to listen on/,
    )
    expect(() => parseEnv({ ...dev, METRICS_HOST: '0.0.0.0' })).toThrow(/^METRICS_HOST is set but METRICS_PORT is not/)
    expect(() => parseEnv({ ...dev, PORT: '3000', METRICS_PORT: '3000' })).toThrow(
      /^METRICS_PORT must differ from PORT/,
    )
  })

  it('takes the origins fetch calls carry the trace to, as undici names them, and none by default', () => {
    const dev = { NODE_ENV: 'development' } as const
    expect(parseEnv(dev).OTEL_PROPAGATE_TO).toEqual([])
    expect(parseEnv({ ...dev, OTEL_PROPAGATE_TO: ' , ' }).OTEL_PROPAGATE_TO).toEqual([])
    expect(
      parseEnv({
        ...dev,
        OTEL_PROPAGATE_TO: ' https://API.Internal.example:443/ ,http://127.0.0.1:4000,, http://[::1]:8080',
      }).OTEL_PROPAGATE_TO,
    ).toEqual(['https://api.internal.example', 'http://127.0.0.1:4000', 'http://[::1]:8080'])
  })

  it('names each entry of OTEL_PROPAGATE_TO that is not an http(s) origin, but never one with credentials', () => {
    const problems = (value: string) => {
      try {
        parseEnv({ NODE_ENV: 'development', OTEL_PROPAGATE_TO: value })
      } catch (error) {
        expect(error).toBeInstanceOf(EnvError)
        return (error as Error).message.split('\n')
      }
      throw new Error(`${value} was accepted`)
    }
    const lines = problems(
      'https://ok.example,api.internal.example,https://api.example/v1,ftp://files.example,https://*.example.com,https://a.example?x=1',
    )
    expect(lines).toHaveLength(5)
    for (const [line, entry] of lines.map(
      (line, i) =>
        [
          line,
          [
            'api.internal.example',
            'https://api.example/v1',
            'ftp://files.example',
            'https://*.example.com',
            'https://a.example?x=1',
          ][i]!,
        ] as const,
    ))
      expect(line.startsWith(`OTEL_PROPAGATE_TO has "${entry}", which is not an http(s) origin`), line).toBe(true)
    expect(lines[0]).toMatch(
      / It is the origins of your own services that outgoing fetch calls continue the trace into/,
    )
    const [secret] = problems('https://user:s3cret-value@api.example')
    expect(secret).toMatch(
      /^OTEL_PROPAGATE_TO has an entry with a user name or password, which is not an http\(s\) origin/,
    )
    expect(secret).not.toContain('s3cret-value')
  })

  it('does not require anything during next build', () => {
    const building = { NODE_ENV: 'production', NEXT_PHASE: 'phase-production-build' } as const
    expect(isProductionRuntime(building)).toBe(false)
    expect(() => parseEnv(building)).not.toThrow()
  })

  it('documents every variable in the README', async () => {
    const { readFile } = await import('node:fs/promises')
    const readme = await readFile('README.md', 'utf8')
    for (const name of Object.keys(ENV_VARS)) expect(readme).toContain(`\`${name}\``)
  })
})
