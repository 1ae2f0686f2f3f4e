// next.config.js is read by `next build`, `next dev` and `next start`. Sentry's wrapper only
// changes the build; requiring it in `next start` loaded Sentry's build tooling into every
// production server (about 24 MiB of RSS at idle, docs/performance.md). Each case loads the
// config the way Next does (its own loadConfig, for a phase) in a child process, so the modules
// it leaves loaded are the ones a server would keep.
import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'

type Loaded = { sentryModules: string[]; externals: string[]; headers: boolean; webpack: string }

function loadConfigFor(phase: string): Loaded {
  const script = `
    const loadConfig = require('next/dist/server/config').default
    loadConfig(${JSON.stringify(phase)}, process.cwd()).then(async (config) => {
      const sentryModules = Object.keys(require.cache).filter((f) => f.includes('/node_modules/@sentry/'))
      const headers = (await config.headers()).some((rule) => rule.headers.some((h) => h.key === 'X-Frame-Options'))
      process.stdout.write(JSON.stringify({ sentryModules, externals: config.serverExternalPackages, headers, webpack: typeof config.webpack }))
    })`
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  })
  return JSON.parse(out) as Loaded
}

describe('next.config.js', () => {
  it('loads no Sentry module in `next start`, and keeps the app’s own settings', () => {
    const server = loadConfigFor('phase-production-server')
    expect(server.sentryModules).toEqual([])
    expect(server.headers).toBe(true)
    expect(server.externals).toContain('pino')
    expect(server.webpack).not.toBe('function') // no Sentry bundler hook
  })

  it('still wraps the build with Sentry’s plugin', () => {
    const build = loadConfigFor('phase-production-build')
    expect(build.sentryModules.length).toBeGreaterThan(0)
    expect(build.webpack).toBe('function') // withSentryConfig's bundler hook
    expect(build.externals).toContain('pino')
    expect(build.headers).toBe(true)
  })
})
