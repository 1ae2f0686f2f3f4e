// At start, an AUTH_URL on this machine (localhost, 127.0.0.1, [::1]) whose port is not the one the
// server listens on gets an `auth_url_port_mismatch` warning with the fix: Auth.js would send the
// browser there after sign-in and sign-out ("This site can't be reached"). Any other host is left
// alone, since behind a proxy the public port differs from the server's on purpose.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { logger } from '@/lib/logs/logger'
import { warnIfAuthUrlMissesPort } from '@/lib/startup'

describe('warnIfAuthUrlMissesPort', () => {
  const warn = vi.spyOn(logger, 'warn')
  const mismatches = () => warn.mock.calls.filter(([, msg]) => msg === 'auth_url_port_mismatch')
  afterEach(() => warn.mockClear())

  it('warns when a loopback AUTH_URL names another port, saying which AUTH_URL to set', () => {
    warnIfAuthUrlMissesPort('http://localhost:3000', '3001')
    expect(mismatches()).toHaveLength(1)
    const [fields] = mismatches()[0]!
    expect(fields).toMatchObject({ auth_url_port: 3000, port: 3001 })
    expect((fields as { fix: string }).fix).toMatch(/^set AUTH_URL=http:\/\/localhost:3001 \(the port this server/)
  })

  it.each([
    ['http://127.0.0.1:3000/', '8080', 3000, 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', '3001', 3000, 'http://[::1]:3001'],
    ['http://localhost', '3000', 80, 'http://localhost:3000'], // no port: the scheme's
    ['https://localhost', '3000', 443, 'https://localhost:3000'],
    ['http://user:secret@LOCALHOST:3000/base?x=1', '3002', 3000, 'http://localhost:3002/base'],
  ])('%s while listening on %s: AUTH_URL is on port %s, fix %s', (authUrl, port, authUrlPort, fixed) => {
    warnIfAuthUrlMissesPort(authUrl, port)
    expect(mismatches()).toHaveLength(1)
    const [fields] = mismatches()[0]!
    expect(fields).toMatchObject({ auth_url_port: authUrlPort, port: Number(port) })
    expect((fields as { fix: string }).fix).toContain(`set AUTH_URL=${fixed} `)
    expect(JSON.stringify(fields)).not.toContain('secret')
  })

  it.each([
    ['the same port', 'http://localhost:3001', '3001'],
    ['the default port it listens on', 'http://localhost', '80'],
    ['a public host, behind a proxy', 'https://app.example.com', '3000'],
    ['a LAN address', 'http://192.168.1.20:3000', '3001'],
    ['no AUTH_URL', undefined, '3000'],
    ['no known port', 'http://localhost:3000', undefined],
    ['a port that is not a number', 'http://localhost:3000', 'pipe'],
  ])('stays quiet for %s', (_what, authUrl, port) => {
    warnIfAuthUrlMissesPort(authUrl, port)
    expect(mismatches()).toHaveLength(0)
  })
})
