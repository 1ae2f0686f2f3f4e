// The client's address, as far as this deployment can know it. Only the rightmost entries of
// `x-forwarded-for` were written by proxies we trust (each appends the address it saw); anything
// to their left came from the client and may be made up. So the rule counts from the right:
// the chain is the header's entries followed by the socket's peer (when the Node server saw
// it), and the client is the entry just left of the last `trustedHops` proxies.
//
//   next start, exposed directly (hops 0):    the socket's peer; the header is ignored
//   next start behind nginx (hops 1):         the entry nginx appended ($proxy_add_x_forwarded_for)
//   Vercel (default 1 when VERCEL is set):    Vercel overwrites the header with the client's address
import { BlockList, isIP } from 'node:net'
import { trustedProxyHops } from '../env'
import { logger } from '../logs'
import { currentRequestContext } from '../request'
import { perProcess } from '../singleton'

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

/** Loopback, private, link-local and shared (CGNAT) ranges: where a proxy of yours would connect from. */
const PRIVATE_RANGES = new BlockList()
for (const [network, prefix] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
] as const)
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE_RANGES.addSubnet(network, prefix, 'ipv6')

/** Whether `address` (normalised) is in a private range. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address)
  return family !== 0 && PRIVATE_RANGES.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

/** Says `message` once per process: a module variable would be once per chunk (lib/singleton.ts). */
function warnOnce(message: string, fields: Record<string, unknown>): void {
  const said = perProcess('clientIpWarnings', () => new Set<string>())
  if (said.has(message)) return
  said.add(message)
  logger.warn(fields, message)
}

/**
 * Requests without an address the trusted proxy chain yields share one bucket in every
 * per-address limit (the sign-in limits, the Web Vitals budget): said once.
 */
export function warnClientIpUnknown(): void {
  warnOnce('client_ip_unknown', {
    why: 'a request came without an address the trusted proxy chain yields: such requests share one bucket in the sign-in limits and the Web Vitals budget',
    fix: "set TRUSTED_PROXY_HOPS, or have the proxy append the client's address to X-Forwarded-For",
  })
}

/**
 * With no trusted hops, `X-Forwarded-For` is ignored. A request that carries one naming another
 * address than its peer, *and* comes from a private address, most likely came through a proxy of
 * yours, so every client looks like that proxy and shares its limits: said once, naming the
 * setting. No address is logged. (Next itself sets the header to the peer's address when a
 * request arrives without one: that is no proxy.)
 */
function warnIfProxiedWithoutHops(headers: Headers, peer: string | undefined, trustedHops: number): void {
  const forwarded = headers.get('x-forwarded-for')
  if (trustedHops !== 0 || !peer || !forwarded) return
  const address = normaliseAddress(peer)
  if (!address || !isPrivateAddress(address)) return
  if (forwarded.split(',').every((entry) => normaliseAddress(entry) === address)) return
  warnOnce('x_forwarded_for_ignored', {
    trusted_hops: 0,
    why: 'a request from a private address carried X-Forwarded-For: behind a proxy, every client shares its address in the sign-in limits and the Web Vitals budget',
    fix: 'set TRUSTED_PROXY_HOPS to the number of proxies in front of the app',
  })
}

/** This request's client address under the deployment's TRUSTED_PROXY_HOPS. */
export function requestClientIp(headers: Headers): string | undefined {
  const peer = currentRequestContext()?.peerAddress
  const trustedHops = trustedProxyHops()
  warnIfProxiedWithoutHops(headers, peer, trustedHops)
  return clientIpFrom(headers, { peer, trustedHops })
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
  if (ip) return addressSubject(ip)
  warnClientIpUnknown()
  return undefined
}
