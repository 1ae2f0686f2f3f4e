import { describe, expect, it } from 'vitest'
import { ENV_VARS, EnvError, isProductionRuntime, parseEnv } from '@/lib/env'

describe('parseEnv', () => {
  it('accepts an empty environment outside production: every integration is optional', () => {
    expect(parseEnv({ NODE_ENV: 'development' })).toEqual({
      POSTHOG_HOST: 'https://us.i.posthog.com',
      POSTHOG_ASSETS_HOST: 'https://us-assets.i.posthog.com',
      DEBUG_ROUTES: false,
    })
  })

  it('treats empty strings as unset', () => {
    const parsed = parseEnv({ NODE_ENV: 'development', DATABASE_URL: '', LOG_LEVEL: ' ', DEBUG_ROUTES: '', POSTHOG_HOST: '', NEXT_PUBLIC_POSTHOG_KEY: '' })
    expect(parsed).toEqual({
      POSTHOG_HOST: 'https://us.i.posthog.com',
      POSTHOG_ASSETS_HOST: 'https://us-assets.i.posthog.com',
      DEBUG_ROUTES: false,
    })
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

  it('requires DATABASE_URL in a running production server', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/^DATABASE_URL is required in production/)
    expect(() => parseEnv({ NODE_ENV: 'production', DATABASE_URL: '' })).toThrow(/DATABASE_URL/)
    expect(parseEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/app' }).DATABASE_URL).toBe(
      'postgres://db/app',
    )
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
