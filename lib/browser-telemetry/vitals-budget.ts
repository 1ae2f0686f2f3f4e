// How many Web Vitals each client may report: MAX_VITALS_PER_CLIENT_PER_MINUTE per address (an
// IPv6 /64), in a fixed one-minute window. Every vital becomes a PostHog event sent with the
// server's key, so without a budget one script posting 40 vitals a request could spend a
// project's monthly event quota in an hour, and skew the Prometheus histograms as it went.
//
// The counts live in this process's memory (rate-limiter-flexible's memory limiter): a beacon
// is not worth a database round trip, and telemetry may be lost where a sign-in may not. So the
// budget is per server instance: behind a load balancer, or on Vercel where each function
// instance counts alone, an address can spend it once per instance. A shared count would
// take one of the library's store-backed limiters (Redis, PostgreSQL) in place of this one.
import 'server-only'
// The memory limiter's own files, not the package index, which loads every store's limiter:
// 18 KB of server chunk instead of 84 (docs/performance.md). rate-limiter-flexible.d.ts types them.
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory'
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes'
import { perProcess } from '../singleton'
import { MAX_VITALS_PER_CLIENT_PER_MINUTE } from './limits'

/** Clients whose address the deployment cannot tell share one budget (docs/security.md). */
const UNKNOWN_CLIENT = 'unknown'

const limiter = () =>
  perProcess(
    'vitalsBudget',
    () => new RateLimiterMemory({ points: MAX_VITALS_PER_CLIENT_PER_MINUTE, duration: 60, keyPrefix: 'vitals' }),
  )

const secondsUntil = (result: RateLimiterRes) => Math.max(1, Math.ceil(result.msBeforeNext / 1000))

/**
 * Seconds until `client` may report again if its budget is already spent, else 0. Asked
 * before the body is read: a client past its budget costs no parsing.
 */
export async function vitalsBudgetSpent(client: string | undefined): Promise<number> {
  const spent = await limiter().get(client ?? UNKNOWN_CLIENT)
  // A window that has ended but whose timer has not yet run (a busy event loop) is not spent.
  if (!spent || spent.msBeforeNext <= 0) return 0
  return spent.consumedPoints >= MAX_VITALS_PER_CLIENT_PER_MINUTE ? secondsUntil(spent) : 0
}

/**
 * Takes `count` vitals from `client`'s budget: 0 if they fit, else the seconds until the window
 * ends. A beacon that does not fit is refused whole and still counts, so a flood stays refused.
 */
export async function spendVitalsBudget(client: string | undefined, count: number): Promise<number> {
  try {
    await limiter().consume(client ?? UNKNOWN_CLIENT, count)
    return 0
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return secondsUntil(refusal)
    throw refusal
  }
}
