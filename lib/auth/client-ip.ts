// The client's address, as far as this deployment can know it. Only the rightmost entries of
// `x-forwarded-for` were written by proxies we trust (each appends the address it saw); anything
// to their left came from the client and may be made up. So the rule counts from the right:
// the chain is the header's entries followed by the socket's peer (when the Node server saw
// it), and the client is the entry just left of the last `trustedHops` proxies.
//
//   next start, exposed directly (hops 0):    the socket's peer; the header is ignored
//   next start behind nginx (hops 1):         the entry nginx appended ($proxy_add_x_forwarded_for)
//   Vercel (default 1 when VERCEL is set):    Vercel overwrites the header with the client's address
import { isIP } from 'node:net'
import { trustedProxyHops } from '../env'
import { currentRequestContext } from '../request'

/** `[2001:db8::1]:443` → `2001:db8::1`, `198.51.100.7:5000` → `198.51.100.7`, `::ffff:1.2.3.4` → `1.2.3.4`. */
export function normaliseAddress(raw: string): string | undefined {
  let value = raw.trim().toLowerCase()
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value)
  if (bracketed?.[1]) value = bracketed[1]
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'))
  if (value.startsWith('::ffff:') && isIP(value.slice(7)) === 4) value = value.slice(7)
  return isIP(value) ? value : undefined
}

/**
 * The client's address, or undefined when the entry the rule picks is missing or not an IP
 * address (the limiter then uses its shared bucket for unknown addresses). A chain shorter
 * than the trusted hops has no client-written entry to skip, so its leftmost entry is taken.
 */
export function clientIpFrom(
  headers: Headers,
  { peer, trustedHops }: { peer?: string | undefined; trustedHops: number },
): string | undefined {
  const forwarded = headers.get('x-forwarded-for')
  const chain = forwarded ? forwarded.split(',') : []
  if (peer) chain.push(peer)
  if (chain.length === 0) return undefined
  const picked = chain[Math.max(0, chain.length - 1 - trustedHops)]
  return picked === undefined ? undefined : normaliseAddress(picked)
}

/** This request's client address under the deployment's TRUSTED_PROXY_HOPS. */
export function requestClientIp(headers: Headers): string | undefined {
  return clientIpFrom(headers, { peer: currentRequestContext()?.peerAddress, trustedHops: trustedProxyHops() })
}

/**
 * What one client controls: an IPv4 address, or an IPv6 /64 (one subscriber is routinely
 * given a whole /64, so keying on single IPv6 addresses would give them 2^64 tries).
 */
export function addressSubject(ip: string): string {
  if (isIP(ip) !== 6) return ip
  const [head = '', tail = ''] = ip.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left
  return `${groups
    .slice(0, 4)
    .map((group) => group.padStart(4, '0'))
    .join(':')}::/64`
}

/**
 * The key a per-client limit counts under: this request's client address as above, an IPv6
 * address widened to its /64, or undefined when the deployment cannot tell (the caller decides
 * what an unknown client shares).
 */
export function requestClientSubject(headers: Headers): string | undefined {
  const ip = requestClientIp(headers)
  return ip ? addressSubject(ip) : undefined
}
