// Auth.js's `events` (lib/auth/nextauth.ts): what each sign-in and sign-out, and an OAuth
// sign-up, records in the audit trail and in analytics.
import 'server-only'
import { logAuditEvent } from '../audit'
import { track } from '../analytics'
import type { Database } from '../db'
import { endSession } from './live-sessions'
import { ensureOrganization } from './organizations'

// The parts of Auth.js's event messages read here, so that only nextauth.ts imports Auth.js.
type SignInMessage = {
  user: { id?: string; orgId?: string }
  account?: { provider: string } | null
  isNewUser?: boolean
}
type SignOutMessage = { token: { sub?: string; orgId?: string; sessionId?: string } | null } | { session: unknown }

export function authEvents(db: Database) {
  return {
    async signIn({ user, account, isNewUser }: SignInMessage) {
      if (!user.id) return
      const orgId = user.orgId ?? (await ensureOrganization(db, user.id))
      const method = account?.provider === 'github' ? 'github' : 'credentials'
      const provider = account?.provider ?? 'unknown'
      // Auth.js created this user just now (an OAuth first sign-in; credential sign-ups are
      // recorded by registerUser): the same two facts as a sign-up through the form, the
      // account and then the session.
      if (isNewUser) {
        await logAuditEvent(db, {
          action: 'user.signed_up',
          orgId,
          actorId: user.id,
          subject: { type: 'user', id: user.id },
          metadata: { provider },
        })
        await track(
          'signed_up',
          { feature: 'auth', surface: 'github_oauth', method, org_id: orgId },
          { distinctId: user.id },
        )
      }
      await logAuditEvent(db, {
        action: 'user.signed_in',
        orgId,
        actorId: user.id,
        subject: { type: 'user', id: user.id },
        metadata: { provider },
      })
      await track(
        'signed_in',
        { feature: 'auth', surface: method === 'github' ? 'github_oauth' : 'sign_in_form', method, org_id: orgId },
        { distinctId: user.id },
      )
    },
    async signOut(message: SignOutMessage) {
      const token = 'token' in message ? message.token : null
      if (!token?.sub) return
      // Before anything else: a copy of the cookie must stop working even if the rest fails.
      // A session that had already ended (a copy of its cookie, signed out again: Auth.js asks
      // only for a CSRF token anyone can fetch) records nothing, or anyone holding one could
      // write sign-outs in its owner's name into the audit trail, as often as they liked.
      if (!(await endSession(db, token.sessionId))) return
      await logAuditEvent(db, {
        action: 'user.signed_out',
        orgId: token.orgId ?? null,
        actorId: token.sub,
        subject: { type: 'user', id: token.sub },
      })
      await track(
        'signed_out',
        { feature: 'auth', surface: 'app_shell', ...(token.orgId ? { org_id: token.orgId } : {}) },
        { distinctId: token.sub },
      )
    },
  }
}
