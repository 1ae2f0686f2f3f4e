import { describe, expect, it } from 'vitest'
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
