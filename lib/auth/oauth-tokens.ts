// Keeps OAuth access tokens fresh for providers that issue refresh tokens (GitHub Apps with
// expiring user tokens, for example). Tokens live in the `accounts` table, not in the session
// cookie: a server component cannot rewrite the cookie, and a rotated refresh token that only
// lived there would be lost.
import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db'
import { accounts } from '../db/schema'
import { env } from '../env'
import { logger } from '../logs'
import { perProcess } from '../singleton'
import { createRefreshQueue } from './refresh-queue'

type TokenEndpoint = { url: string; clientId: () => string | undefined; clientSecret: () => string | undefined }

const TOKEN_ENDPOINTS: Record<string, TokenEndpoint> = {
  github: {
    url: 'https://github.com/login/oauth/access_token',
    clientId: () => env().AUTH_GITHUB_ID,
    clientSecret: () => env().AUTH_GITHUB_SECRET,
  },
}

/** Refresh a minute early so a token does not expire between this check and its use. */
const EARLY_SECONDS = 60

export function canRefresh(provider: string): boolean {
  return provider in TOKEN_ENDPOINTS
}

export function needsRefresh(expiresAt: number, nowSeconds = Date.now() / 1000): boolean {
  return expiresAt - EARLY_SECONDS <= nowSeconds
}

/**
 * After a failed refresh, how long before the same user's token at the same provider is tried
 * again. Without it every later auth() call (each page, each action) would re-run the refresh
 * and wait up to the 5 s timeout for a provider that just refused or did not answer.
 */
export const REFRESH_BACKOFF_SECONDS = 5 * 60

/** A refresh failed, now or within the backoff; `retryAt` (seconds) is when to try again. */
export class TokenRefreshFailed extends Error {
  constructor(
    readonly retryAt: number,
    /** False when this call did not try at all because an earlier failure is still backing off. */
    readonly attempted: boolean,
    options?: { cause?: unknown },
  ) {
    super(attempted ? 'OAuth token refresh failed' : 'OAuth token refresh backing off after a failure', options)
  }
}

// One queue per process: concurrent requests of the same user share one refresh. Failures are
// remembered per process too, because a server component's auth() cannot rewrite the cookie:
// the token there never learns of the failure, so the process has to. Per process, not per
// module: the bundler copies this module into each chunk that imports it (the Auth.js route, the
// pages, the actions), and two copies refreshing at once would spend one single-use refresh
// token twice.
const queue = perProcess('oauthRefreshQueue', () => createRefreshQueue<number>())
const failedUntil = perProcess('oauthRefreshFailedUntil', () => new Map<string, number>())
/**
 * The stored token's expiry as this process last read or wrote it. getSession() asks with the
 * cookie's expiry, which a server component cannot rewrite: past a token's lifetime (8 hours at
 * GitHub) every request of that session asked, and each read the accounts table only to find the
 * stored token fresh. A stored expiry only moves forward (a refresh stores a later one, here or
 * on another instance), so while this one is fresh the stored token is too.
 */
const storedExpiry = perProcess('oauthStoredExpiry', () => new Map<string, number>())

function rememberExpiry(key: string, expiresAt: number): void {
  storedExpiry.set(key, expiresAt)
  if (storedExpiry.size > 10_000)
    for (const [other, at] of storedExpiry) if (needsRefresh(at)) storedExpiry.delete(other)
}

function rememberFailure(key: string, retryAt: number): void {
  failedUntil.set(key, retryAt)
  if (failedUntil.size > 10_000) {
    const now = Date.now() / 1000
    for (const [other, until] of failedUntil) if (until <= now) failedUntil.delete(other)
  }
}

/**
 * Whether to refresh now: the access token is (about to be) expired, and no recent failure
 * recorded in the session token asks to wait.
 */
export function shouldRefresh(oauth: { expiresAt: number; retryAt?: number }, nowSeconds = Date.now() / 1000): boolean {
  if (oauth.retryAt !== undefined && nowSeconds < oauth.retryAt) return false
  return needsRefresh(oauth.expiresAt, nowSeconds)
}

/** What the session token records of the provider's access token (lib/auth/nextauth.ts). */
export type OAuthState = {
  provider: string
  expiresAt: number
  error?: 'refresh_failed'
  /** After a failed refresh: not before this time (seconds since the epoch). */
  retryAt?: number
}

/**
 * The session token's OAuth state after refreshing the stored access token if it is due. Only
 * for a session already known to be live: a signed-out copy of a cookie must not keep rotating
 * its owner's tokens (lib/auth/nextauth.ts and getSession() check first). Never rejects: the
 * app session stays valid, and calls to the provider fail until a later refresh works or the
 * user signs in again. Until retryAt nobody tries.
 */
export async function refreshedOAuthState(db: Database, userId: string, oauth: OAuthState): Promise<OAuthState> {
  if (!shouldRefresh(oauth)) return oauth
  const { provider } = oauth
  try {
    return { provider, expiresAt: await refreshAccessToken(db, userId, provider) }
  } catch (error) {
    const retryAt = error instanceof TokenRefreshFailed ? error.retryAt : undefined
    if (!(error instanceof TokenRefreshFailed) || error.attempted)
      logger.warn({ err: error, provider }, 'oauth_token_refresh_failed')
    return { ...oauth, error: 'refresh_failed', ...(retryAt ? { retryAt } : {}) }
  }
}

/**
 * Makes sure the stored access token of `userId` at `provider` is fresh; resolves to its new
 * expiry (seconds since the epoch). Called through refreshedOAuthState(). While the expiry this
 * process last saw stored is fresh, resolves to it without a query. Rejects with
 * `TokenRefreshFailed`; after a failure, calls within REFRESH_BACKOFF_SECONDS reject at once
 * without contacting the provider.
 */
export async function refreshAccessToken(db: Database, userId: string, provider: string): Promise<number> {
  const key = `${provider}:${userId}`
  const known = storedExpiry.get(key)
  if (known !== undefined && !needsRefresh(known)) return known
  const until = failedUntil.get(key)
  if (until !== undefined && Date.now() / 1000 < until) throw new TokenRefreshFailed(until, false)
  return queue.run(key, async () => {
    try {
      const expiresAt = await refreshStoredToken(db, userId, provider)
      failedUntil.delete(key)
      rememberExpiry(key, expiresAt)
      return expiresAt
    } catch (error) {
      const retryAt = Math.floor(Date.now() / 1000) + REFRESH_BACKOFF_SECONDS
      rememberFailure(key, retryAt)
      throw new TokenRefreshFailed(retryAt, true, { cause: error })
    }
  })
}

async function refreshStoredToken(db: Database, userId: string, provider: string): Promise<number> {
  const endpoint = TOKEN_ENDPOINTS[provider]
  if (!endpoint) throw new Error(`no token endpoint for provider ${provider}`)
  const where = and(eq(accounts.userId, userId), eq(accounts.provider, provider))
  const [account] = await db.select().from(accounts).where(where).limit(1)
  if (!account?.refresh_token) throw new Error('no refresh token stored')
  // Another server instance may have refreshed already.
  if (account.expires_at && !needsRefresh(account.expires_at)) return account.expires_at

  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: account.refresh_token,
      client_id: endpoint.clientId() ?? '',
      client_secret: endpoint.clientSecret() ?? '',
    }),
    signal: AbortSignal.timeout(5000),
  })
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string
    expires_in?: number
    refresh_token?: string
    error?: string
  }
  // Only the provider's error code is reported: the body can hold tokens.
  if (!response.ok || !body.access_token) throw new Error(`token refresh refused: ${body.error ?? response.status}`)

  const expiresAt = Math.floor(Date.now() / 1000) + (body.expires_in ?? 3600)
  await db
    .update(accounts)
    .set({
      access_token: body.access_token,
      expires_at: expiresAt,
      refresh_token: body.refresh_token ?? account.refresh_token,
    })
    .where(where)
  return expiresAt
}
