// Keeps OAuth access tokens fresh for providers that issue refresh tokens (GitHub Apps with
// expiring user tokens, for example). Tokens live in the `accounts` table, not in the session
// cookie: a server component cannot rewrite the cookie, and a rotated refresh token that only
// lived there would be lost.
import 'server-only'
import { and, eq } from 'drizzle-orm'
import type { Database } from '../db'
import { accounts } from '../db/schema'
import { env } from '../env'
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

// One queue per process: concurrent requests of the same user share one refresh.
const queue = createRefreshQueue<number>()

/**
 * Makes sure the stored access token of `userId` at `provider` is fresh; resolves to its new
 * expiry (seconds since the epoch). Called from the `jwt` callback.
 */
export function refreshAccessToken(db: Database, userId: string, provider: string): Promise<number> {
  return queue.run(`${provider}:${userId}`, () => refreshStoredToken(db, userId, provider))
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
    .set({ access_token: body.access_token, expires_at: expiresAt, refresh_token: body.refresh_token ?? account.refresh_token })
    .where(where)
  return expiresAt
}
