// Auth.js, configured once. JWT sessions (the credentials provider requires them) that name a
// live session row, so signing out ends them (live-sessions.ts); users and OAuth accounts in
// our own tables through the Drizzle adapter, GitHub only when configured. A token is read in
// two places: server-side by getSession() (session.ts), which checks its session row itself,
// and by Auth.js's own endpoints (`GET /api/auth/session`), where the jwt callback checks it.
import 'server-only'
import { DrizzleAdapter } from '@auth/drizzle-adapter'
import NextAuth, { AuthError, CredentialsSignin, type NextAuthConfig } from 'next-auth'
import { NextRequest } from 'next/server'
import Credentials from 'next-auth/providers/credentials'
import GitHub from 'next-auth/providers/github'
import { getDb, type Database } from '../db'
import { accounts, sessions, users, verificationTokens } from '../db/schema'
import { env, hostIsTrusted } from '../env'
import { logger } from '../logs'
import { authenticate } from './credentials'
import { tooManyAttemptsCode } from './sign-in-messages'
import { authEvents } from './events'
import { canRefresh, refreshedOAuthState, type OAuthState } from './oauth-tokens'
import { SESSION_MAX_AGE_SECONDS, liveSessionRole, startSession } from './live-sessions'
import { ensureOrganization } from './organizations'
import { requestClientIp } from './client-ip'
import { DEFAULT_SIGNED_IN_PATH, SIGN_IN_PATH, isSessionCookieName, safeCallbackPath } from './routing'
import { withRequestOrigin } from './request-origin'
import { authSecret } from './secret'

declare module 'next-auth' {
  interface Session {
    orgId?: string
    /**
     * Server-side only (auth() for getSession(), never Auth.js's endpoints, so never a page
     * script): the session's ID (live-sessions.ts), which getSession() checks on every request.
     */
    sessionId?: string
    /** Server-side only, like sessionId: for getSession() to refresh the provider's token. */
    oauth?: OAuthState
  }
  interface User {
    orgId?: string
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    orgId?: string
    /** The row in `sessions` that keeps this token live (live-sessions.ts). */
    sessionId?: string
    /** Expiry of the provider's access token (stored in `accounts`), for providers that refresh. */
    oauth?: OAuthState
  }
}

/** Wrong email or password: one code (and one message) for both, so accounts cannot be probed. */
export class InvalidCredentials extends CredentialsSignin {
  override code = 'invalid_credentials'
}

/**
 * Too many failures. The code carries the wait (`too_many_attempts_15m`) because Auth.js puts
 * it in the URL when it redirects a direct POST to the sign-in page, which then says how long.
 */
export class TooManyAttempts extends CredentialsSignin {
  constructor(readonly retryAfterMinutes: number) {
    super()
    this.code = tooManyAttemptsCode(retryAfterMinutes)
  }
}

/**
 * Whether signIn() failed with one of Auth.js's errors (refused credentials among them), not
 * its success redirect or an unrelated throw: server actions answer these with a message.
 */
export function isAuthError(error: unknown): boolean {
  return error instanceof AuthError
}

/**
 * Whether signIn() refused the credentials themselves (a wrong email or password, too many
 * attempts), as opposed to failing on the way: Auth.js wraps anything authorize() throws (a
 * missing table, a revoked grant) in another AuthError, which is ours to fix, not the person's.
 */
export function isRefusedCredentials(error: unknown): boolean {
  return error instanceof CredentialsSignin
}

export function githubEnabled(): boolean {
  const { AUTH_GITHUB_ID, AUTH_GITHUB_SECRET } = env()
  return Boolean(AUTH_GITHUB_ID && AUTH_GITHUB_SECRET)
}

/**
 * One request to Auth.js's endpoints (`handlers` below). Server-side calls (auth(), signIn(),
 * signOut()) have none. `checkFailed` holds the error of a session check the database could
 * not answer, for the handler to throw.
 */
type EndpointCall = { checkFailed?: { error: unknown } }

/** `endpoint`: the request to Auth.js's endpoints this configuration serves, if any. */
function configFor(db: Database, endpoint: EndpointCall | undefined): NextAuthConfig {
  const { AUTH_GITHUB_ID, AUTH_GITHUB_SECRET } = env()
  return {
    secret: authSecret(),
    // The Host header chooses Auth.js's origin only where something trustworthy sets it
    // (lib/env hostIsTrusted); a production server with none of them refuses to start.
    trustHost: hostIsTrusted(env()),
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: SIGN_IN_PATH, error: SIGN_IN_PATH },
    providers: [
      Credentials({
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials, request) {
          const result = await authenticate(db, {
            email: typeof credentials.email === 'string' ? credentials.email : '',
            password: typeof credentials.password === 'string' ? credentials.password : '',
            ip: requestClientIp(request.headers),
          })
          if (result.ok) return result.user
          throw result.reason === 'rate_limited'
            ? new TooManyAttempts(result.retryAfterMinutes)
            : new InvalidCredentials()
        },
      }),
      ...(AUTH_GITHUB_ID && AUTH_GITHUB_SECRET
        ? [GitHub({ clientId: AUTH_GITHUB_ID, clientSecret: AUTH_GITHUB_SECRET })]
        : []),
    ],
    callbacks: {
      async jwt({ token, user, account }) {
        if (user?.id) {
          // Signing in: the organization is settled here, on the server, and travels in the
          // encrypted token; nothing the browser sends can choose it.
          token.sub = user.id
          token.orgId = user.orgId ?? (await ensureOrganization(db, user.id))
          token.sessionId = await startSession(db, user.id)
          token.oauth =
            account?.refresh_token && account.expires_at && canRefresh(account.provider)
              ? { provider: account.provider, expiresAt: account.expires_at }
              : undefined
          return token
        }
        // auth(), from getSession(): it checks the session row and the membership in one query,
        // then refreshes the provider's token (session.ts). Checking here too would be a second
        // query on every request.
        if (!endpoint) return token
        // Auth.js's own endpoint (`/api/auth/session`): a copy of a signed-out cookie decoded
        // fine, and Auth.js answered with its owner's name, email and IDs, re-issued the cookie
        // with a fresh expiry, and refreshed the owner's GitHub token (found by an attacker
        // review). The same check as getSession(), before anything else: null makes Auth.js
        // answer as signed out (`null`) and clear the cookie.
        const { sub: userId, orgId, sessionId } = token
        if (!userId || !orgId || !sessionId) return null
        try {
          if (!(await liveSessionRole(db, { userId, orgId, sessionId }))) return null
        } catch (error) {
          // Unknown whether the session is live: the handler throws this (a 503 while the
          // database is away, as for a page), neither answering nor clearing a live cookie.
          endpoint.checkFailed = { error }
          return null
        }
        if (token.oauth) token.oauth = await refreshedOAuthState(db, userId, token.oauth)
        return token
      },
      session({ session, token }) {
        if (token.sub) session.user.id = token.sub
        session.orgId = token.orgId
        // Page scripts (the endpoint's answer) need neither.
        if (!endpoint) {
          session.sessionId = token.sessionId
          session.oauth = token.oauth
        }
        return session
      },
      redirect({ url, baseUrl }) {
        if (url.startsWith('/')) return `${baseUrl}${safeCallbackPath(url)}`
        try {
          const target = new URL(url)
          if (target.origin === baseUrl) return `${baseUrl}${safeCallbackPath(`${target.pathname}${target.search}`)}`
        } catch {
          // not a URL: fall through
        }
        return `${baseUrl}${DEFAULT_SIGNED_IN_PATH}`
      },
    },
    events: authEvents(db),
    logger: {
      error(error) {
        // Refused credentials are expected and already counted and audited (or, when rate-limited,
        // logged) by authenticate().
        if (error instanceof CredentialsSignin) return
        // A cookie we cannot read (tampered with, or sealed with a rotated secret) signs that
        // visitor out; it is not an outage. A burst of them after a deploy means AUTH_SECRET changed.
        if (error instanceof AuthError && error.type === 'JWTSessionError') {
          logger.warn({ err: error }, 'auth_session_unreadable')
          return
        }
        logger.error({ err: error }, 'auth_error')
      },
      warn(code) {
        logger.warn({ code }, 'auth_warning')
      },
    },
  }
}

// Lazy configuration: nothing runs at import time (so `next build` needs no secret and no
// database), and the database is opened on the first request that needs it.
// Auth.js passes the configuration function the request when it serves one of its endpoints
// (`handlers`), nothing for server-side calls. A request that did not come through `handlers`
// (someone calling auth(request)) still gets the endpoint's checks.
const endpointCalls = new WeakMap<Request, EndpointCall>()
const nextAuth = NextAuth(async (request) =>
  configFor(await getDb(), request ? (endpointCalls.get(request) ?? {}) : undefined),
)
export const { auth, signIn, signOut } = nextAuth

const asBrowserSaw = (request: NextRequest) =>
  withRequestOrigin(withoutSessionOnCallback(request), { hostTrusted: hostIsTrusted(env()), authUrl: env().AUTH_URL })

/**
 * Sign-in callbacks (`/api/auth/callback/<provider>`) never see the session cookie. Auth.js links
 * a new OAuth account to whoever that cookie names, and reads only the cookie, not our session
 * row: a copy of someone's cookie, even signed out, let an attacker attach their own GitHub
 * account to that person and sign in as them for good. The app offers no account linking, so a
 * callback is always a fresh sign-in (an existing account by its GitHub ID, or a new user).
 */
function withoutSessionOnCallback(request: NextRequest): NextRequest {
  if (!new URL(request.url).pathname.startsWith('/api/auth/callback/')) return request
  const parts = (request.headers.get('cookie') ?? '').split(';')
  const kept = parts.filter((part) => !isSessionCookieName(part.split('=')[0]?.trim() ?? ''))
  if (kept.length === parts.length) return request
  const headers = new Headers(request.headers)
  if (kept.length > 0) headers.set('cookie', kept.join(';'))
  else headers.delete('cookie')
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD'
  return new NextRequest(request.url, {
    method: request.method,
    headers,
    signal: request.signal,
    ...(hasBody ? { body: request.body, duplex: 'half' } : {}),
  })
}

async function serve(handler: (request: NextRequest) => Promise<Response>, request: NextRequest) {
  const seen = asBrowserSaw(request)
  const call: EndpointCall = {}
  endpointCalls.set(seen, call)
  const response = await handler(seen)
  if (call.checkFailed) throw call.checkFailed.error
  return response
}

/** Auth.js's endpoints (app/api/auth), seeing the origin the browser used (request-origin.ts). */
export const handlers = {
  GET: (request: NextRequest) => serve(nextAuth.handlers.GET, request),
  POST: (request: NextRequest) => serve(nextAuth.handlers.POST, request),
}
