import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { contentSecurityPolicy, newNonce } from '@/lib/security/content-security-policy'
import { inlineScriptHashes } from '@/lib/security/prerendered-scripts'

const directives = (policy: string) =>
  new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/)
      return [name!, sources] as const
    }),
  )

const HASH = "'sha256-abc='"

describe('contentSecurityPolicy', () => {
  const production = directives(
    contentSecurityPolicy({
      nonce: 'n0nce',
      scriptHashes: [HASH],
      development: false,
      developmentConnectSources: ['http://localhost:8969'],
    }),
  )

  it('has every directive the issue asks for, with exactly those sources', () => {
    expect(production.get('default-src')).toEqual(["'self'"])
    expect(production.get('connect-src')).toEqual(["'self'"])
    expect(production.get('object-src')).toEqual(["'none'"])
    expect(production.get('base-uri')).toEqual(["'none'"])
    expect(production.get('frame-ancestors')).toEqual(["'none'"])
    expect(production.get('form-action')).toEqual(["'self'"])
    expect(production.get('style-src')).toEqual(["'self'"])
  })

  it('allows inline scripts only by the nonce or a prerendered hash, never unsafe-inline or eval', () => {
    expect(production.get('script-src')).toEqual(["'self'", "'nonce-n0nce'", HASH])
    for (const [name, sources] of production) {
      expect(sources, name).not.toContain("'unsafe-inline'")
      expect(sources, name).not.toContain("'unsafe-eval'")
    }
  })

  it('lets our forms be redirected to an OAuth provider only when one is configured', () => {
    const withGitHub = directives(
      contentSecurityPolicy({
        nonce: 'n0nce',
        scriptHashes: [],
        development: false,
        formRedirectSources: ['https://github.com'],
      }),
    )
    expect(withGitHub.get('form-action')).toEqual(["'self'", 'https://github.com'])
  })

  it('relaxes only what next dev needs: eval for scripts, inline styles, the Spotlight sidecar', () => {
    const development = directives(
      contentSecurityPolicy({
        nonce: 'n0nce',
        scriptHashes: [],
        development: true,
        developmentConnectSources: ['http://localhost:8969'],
      }),
    )
    expect(development.get('script-src')).toEqual(["'self'", "'nonce-n0nce'", "'unsafe-eval'"])
    expect(development.get('style-src')).toEqual(["'self'", "'unsafe-inline'"])
    expect(development.get('connect-src')).toEqual(["'self'", 'http://localhost:8969'])
    expect(development.get('script-src')).not.toContain("'unsafe-inline'")
  })
})

describe('newNonce', () => {
  it('is 128 random bits in base64, fresh every time', () => {
    const nonces = Array.from({ length: 1000 }, newNonce)
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    expect(new Set(nonces).size).toBe(nonces.length)
  })
})

describe('prerendered script hashes', () => {
  const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`

  it('hashes each distinct inline script, never a script loaded by src', () => {
    const page = (flight: string) =>
      `<html><head><script src="/_next/static/chunks/a.js" async=""></script></head><body><script>(self.__next_f=self.__next_f||[]).push([0])</script><script id="_R_">${flight}</script></body></html>`
    expect(inlineScriptHashes([page('self.__next_f.push([1,"a"])'), page('self.__next_f.push([1,"b"])')])).toEqual(
      [
        sha('(self.__next_f=self.__next_f||[]).push([0])'),
        sha('self.__next_f.push([1,"a"])'),
        sha('self.__next_f.push([1,"b"])'),
      ].sort(),
    )
  })

  describe('from the build', () => {
    let dir: string | undefined
    afterEach(() => {
      vi.unstubAllEnvs()
      vi.resetModules()
      if (dir) rmSync(dir, { recursive: true, force: true })
    })

    it('reads every prerendered page under <distDir>/server/app, nested ones too', async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'signalbox-csp-'))
      mkdirSync(path.join(dir, 'server', 'app', 'docs'), { recursive: true })
      writeFileSync(path.join(dir, 'server', 'app', 'index.html'), '<script>one()</script>')
      writeFileSync(path.join(dir, 'server', 'app', 'docs', 'intro.html'), '<script>two()</script>')
      writeFileSync(path.join(dir, 'server', 'app', 'index.rsc'), '<script>not-html()</script>')
      vi.stubEnv('NODE_ENV', 'production')
      vi.stubEnv('NEXT_DIST_DIR', path.relative(process.cwd(), dir))
      const { prerenderedScriptHashes } = await import('@/lib/security/prerendered-scripts')
      expect(prerenderedScriptHashes()).toEqual([sha('one()'), sha('two()')].sort())
    })
  })

  describe('contentSecurityPolicyForRequest (built once, a fresh nonce each time)', () => {
    afterEach(() => {
      vi.unstubAllEnvs()
      vi.resetModules()
    })

    it('differs between two responses only in the nonce, which is the one the policy would be built with', async () => {
      vi.stubEnv('AUTH_GITHUB_ID', 'an-app')
      const { contentSecurityPolicyForRequest } = await import('@/lib/security')
      const [first, second] = [contentSecurityPolicyForRequest(), contentSecurityPolicyForRequest()]
      const nonceOf = (policy: string) => /'nonce-([^']+)'/.exec(policy)?.[1]
      expect(nonceOf(first)).toMatch(/^[A-Za-z0-9+/]{22}==$/)
      expect(nonceOf(first)).not.toBe(nonceOf(second))
      expect(first.replace(nonceOf(first)!, 'N')).toBe(second.replace(nonceOf(second)!, 'N'))
      expect(first).toBe(
        contentSecurityPolicy({
          nonce: nonceOf(first)!,
          scriptHashes: [],
          development: false,
          formRedirectSources: ['https://github.com'],
        }),
      )
    })
  })
})
