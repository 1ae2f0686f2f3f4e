import { afterEach, describe, expect, it, vi } from 'vitest'
import { addressSubject, clientIpFrom, normaliseAddress } from '@/lib/auth/client-ip'
import { trustedProxyHops } from '@/lib/env'

const headersWith = (forwardedFor?: string) =>
  new Headers(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor })

describe('clientIpFrom', () => {
  it('next start exposed directly (0 hops): the socket peer, whatever the client writes in X-Forwarded-For', () => {
    for (const forged of [undefined, '203.0.113.9', '203.0.113.9, 198.51.100.1', 'garbage', '']) {
      expect(clientIpFrom(headersWith(forged), { peer: '192.0.2.10', trustedHops: 0 })).toBe('192.0.2.10')
    }
  })

  it('behind one appending proxy (1 hop): the entry the proxy appended, not the ones the client sent', () => {
    // nginx: proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; the peer is nginx.
    expect(clientIpFrom(headersWith('192.0.2.77'), { peer: '10.0.0.2', trustedHops: 1 })).toBe('192.0.2.77')
    expect(clientIpFrom(headersWith('203.0.113.9, 192.0.2.77'), { peer: '10.0.0.2', trustedHops: 1 })).toBe(
      '192.0.2.77',
    )
    expect(clientIpFrom(headersWith('1.1.1.1, 2.2.2.2, 192.0.2.77'), { peer: '10.0.0.2', trustedHops: 1 })).toBe(
      '192.0.2.77',
    )
  })

  it('Vercel (1 hop, the platform overwrites the header): its one entry, with or without a peer', () => {
    expect(clientIpFrom(headersWith('192.0.2.77'), { peer: undefined, trustedHops: 1 })).toBe('192.0.2.77')
    expect(clientIpFrom(headersWith('192.0.2.77'), { peer: '10.1.2.3', trustedHops: 1 })).toBe('192.0.2.77')
  })

  it('two proxies (2 hops): skips both of their entries', () => {
    expect(clientIpFrom(headersWith('203.0.113.9, 192.0.2.77, 10.0.0.1'), { peer: '10.0.0.2', trustedHops: 2 })).toBe(
      '192.0.2.77',
    )
  })

  it('without a peer (no Node hook) and 0 hops: the rightmost entry, never the client-chosen leftmost', () => {
    expect(clientIpFrom(headersWith('203.0.113.9, 192.0.2.77'), { peer: undefined, trustedHops: 0 })).toBe('192.0.2.77')
  })

  it('answers undefined when the picked entry is not an address, or there is nothing at all', () => {
    expect(clientIpFrom(headersWith('not-an-ip'), { peer: undefined, trustedHops: 0 })).toBeUndefined()
    expect(clientIpFrom(headersWith('203.0.113.9, <script>'), { peer: '10.0.0.2', trustedHops: 1 })).toBeUndefined()
    expect(clientIpFrom(headersWith(), { peer: undefined, trustedHops: 0 })).toBeUndefined()
  })
})

describe('normaliseAddress', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    [' 198.51.100.7:5000 ', '198.51.100.7'],
    ['[2001:DB8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:198.51.100.7', '198.51.100.7'],
    ['unknown', undefined],
    ['198.51.100.300', undefined],
    ['', undefined],
  ])('%j → %j', (raw, expected) => {
    expect(normaliseAddress(raw)).toBe(expected)
  })
})

describe('addressSubject (what one client controls)', () => {
  it('an IPv4 address is itself; IPv6 addresses of one /64 are one subject', () => {
    expect(addressSubject('198.51.100.7')).toBe('198.51.100.7')
    expect(addressSubject('2001:db8:aa:bb::1')).toBe('2001:0db8:00aa:00bb::/64')
    expect(addressSubject('2001:db8:aa:bb:ffff:1:2:3')).toBe(addressSubject('2001:db8:aa:bb::9'))
    expect(addressSubject('2001:db8:aa:cc::1')).not.toBe(addressSubject('2001:db8:aa:bb::1'))
    expect(addressSubject('::1')).toBe('0000:0000:0000:0000::/64')
  })
})

describe('trustedProxyHops', () => {
  it('defaults to Vercel’s one proxy on Vercel and none elsewhere; a setting wins', () => {
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: undefined, VERCEL: undefined })).toBe(0)
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: undefined, VERCEL: '1' })).toBe(1)
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: 2, VERCEL: '1' })).toBe(2)
    expect(trustedProxyHops({ TRUSTED_PROXY_HOPS: 0, VERCEL: undefined })).toBe(0)
  })
})

describe('isPrivateAddress (where a proxy of yours would connect from)', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.0.9', true],
    ['100.64.0.1', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['192.0.2.10', false],
    ['8.8.8.8', false],
    ['2001:db8::1', false],
    ['not an address', false],
  ])('%s → %s', async (address, expected) => {
    const { isPrivateAddress } = await import('@/lib/auth/client-ip')
    expect(isPrivateAddress(address)).toBe(expected)
  })
})

describe('requestClientIp behind a proxy with TRUSTED_PROXY_HOPS unset', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  })

  /** requestClientIp() in a request from `peer`, with a fresh module (its warning is once per process). */
  const forgetWarnings = () => delete (globalThis as Record<symbol, unknown>)[Symbol.for('signalbox.clientIpWarnings')]

  async function fromPeer(peer: string, forwardedFor: string | undefined, hops?: string) {
    vi.resetModules()
    forgetWarnings() // each test starts with nothing said in this process
    if (hops !== undefined) vi.stubEnv('TRUSTED_PROXY_HOPS', hops)
    const { logger } = await import('@/lib/logs')
    const warn = vi.spyOn(logger, 'warn')
    const { requestClientIp } = await import('@/lib/auth/client-ip')
    const { requestContextStorage } = await import('@/lib/request/context')
    const context = { requestId: 'r', requestIdSource: 'server' as const, startedAt: Date.now(), peerAddress: peer }
    const ask = () => requestContextStorage.run(context, () => requestClientIp(headersWith(forwardedFor)))
    return { ask, warn }
  }

  it('says once that X-Forwarded-For from a private address is ignored, naming the setting and no address', async () => {
    const { ask, warn } = await fromPeer('::ffff:127.0.0.1', '192.0.2.77')
    expect(ask()).toBe('127.0.0.1') // still the peer: the warning changes nothing
    expect(ask()).toBe('127.0.0.1')
    const warnings = warn.mock.calls.filter(([, message]) => message === 'x_forwarded_for_ignored')
    expect(warnings).toHaveLength(1)
    const logged = JSON.stringify(warnings[0])
    expect(logged).toContain('TRUSTED_PROXY_HOPS')
    expect(logged).not.toContain('127.0.0.1')
    expect(logged).not.toContain('192.0.2.77')
  })

  it('says it once per process, not once per copy of the module (Next bundles one per chunk)', async () => {
    const { ask, warn } = await fromPeer('10.0.0.2', '192.0.2.77')
    ask()
    vi.resetModules() // a second copy, as another chunk would load
    const second = await import('@/lib/auth/client-ip')
    const { requestContextStorage } = await import('@/lib/request/context')
    const context = {
      requestId: 'r2',
      requestIdSource: 'server' as const,
      startedAt: Date.now(),
      peerAddress: '10.0.0.2',
    }
    requestContextStorage.run(context, () => second.requestClientIp(headersWith('192.0.2.78')))
    expect(warn.mock.calls.filter(([, message]) => message === 'x_forwarded_for_ignored')).toHaveLength(1)
  })

  it('says once that a request had no address the proxy chain yields, for every per-address limit', async () => {
    vi.resetModules()
    forgetWarnings()
    vi.stubEnv('TRUSTED_PROXY_HOPS', '1')
    const { logger } = await import('@/lib/logs')
    const warn = vi.spyOn(logger, 'warn')
    const { requestClientSubject } = await import('@/lib/auth/client-ip')
    // One hop trusted, no peer (as off the Node server) and no header: no address at all.
    expect(requestClientSubject(headersWith())).toBeUndefined()
    expect(requestClientSubject(headersWith('not an address'))).toBeUndefined()
    const said = warn.mock.calls.filter(([, message]) => message === 'client_ip_unknown')
    expect(said).toHaveLength(1)
    expect(JSON.stringify(said[0])).toContain('TRUSTED_PROXY_HOPS')
  })

  it.each([
    ['a public peer writing the header itself (exposed directly)', '198.51.100.9', '192.0.2.77', undefined],
    ['a private peer without the header', '10.0.0.2', undefined, undefined],
    // `next start` sets X-Forwarded-For to the socket's address when a request has none.
    ['a private peer with the header Next sets itself', '::ffff:127.0.0.1', '::ffff:127.0.0.1', undefined],
    ['a private peer with the hops set', '10.0.0.2', '192.0.2.77', '1'],
  ])('says nothing for %s', async (_, peer, forwardedFor, hops) => {
    const { ask, warn } = await fromPeer(peer, forwardedFor, hops)
    ask()
    expect(warn.mock.calls.filter(([, message]) => message === 'x_forwarded_for_ignored')).toHaveLength(0)
  })
})
