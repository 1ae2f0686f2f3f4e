// Email and password accounts: sign-up and the credential check behind the sign-in form.
import 'server-only'
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { logAuditEvent } from '../audit'
import { track } from '../analytics'
import { mayHaveCommitted, type Database } from '../db'
import { memberships, users } from '../db/schema'
import { EMAIL_MAX_LENGTH, emailAddressSchema } from '../email-address'
import { logger } from '../logs'
import { createOwnedOrganization, ensureOrganization } from './organizations'
import { hashPassword, passwordSchema, verifyPassword } from './password'
import {
  clearSignInFailures,
  countedUnder,
  type CountedRows,
  keysFor,
  releaseSignInAttempt,
  reserveFailedSignInRecord,
  reserveSignInAttempt,
  signUpKeysFor,
} from './rate-limit'
import { tooManyAttemptsMessage } from './sign-in-messages'

/**
 * Lowercased: the address is the account's name at sign-in, so Ada@Example.com and
 * ada@example.com must be one account (the unique index compares bytes).
 */
export const emailSchema = z.string().trim().toLowerCase().pipe(emailAddressSchema)

/**
 * Refused in names and emails. Control characters (U+0000–U+001F, U+007F–U+009F): nobody types
 * them into a one-line field, and PostgreSQL text cannot hold NUL at all, so a name with one was
 * a database error, a 500. The bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069): they make a name display as other text than it is ("eman live" for U+202E +
 * "evil name"), in the customer list and the audit trail alike. The marks U+200E, U+200F and
 * U+061C, which right-to-left names do use, are allowed.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

const DIRECTION_CHARACTERS = /[\u202a-\u202e\u2066-\u2069]/
const NAMED_CONTROLS: Record<string, string> = { '\t': 'the tab', '\n': 'the line break', '\r': 'the line break' }

/**
 * What to remove, for a field with one of CONTROL_CHARACTERS, or undefined. Says which one:
 * they are invisible, so "remove the control characters" left people looking at text that
 * seemed fine (most arrive with pasted text).
 */
export function controlCharacterProblem(text: string): string | undefined {
  const found = CONTROL_CHARACTERS.exec(text)?.[0]
  if (found === undefined) return undefined
  const code = `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
  const what =
    NAMED_CONTROLS[found] ??
    (DIRECTION_CHARACTERS.test(found)
      ? `the invisible text-direction character (${code})`
      : `the invisible control character (${code})`)
  return `Remove ${what}; it may have come with pasted text`
}

/** For a schema's superRefine: the field error controlCharacterProblem describes, if any. */
export function refuseControlCharacters(text: string, context: z.RefinementCtx): void {
  const problem = controlCharacterProblem(text)
  if (problem) context.addIssue({ code: 'custom', message: problem })
}

export const signUpSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Enter your name')
    .max(100, 'Use at most 100 characters')
    .superRefine(refuseControlCharacters),
  email: emailSchema,
  password: passwordSchema,
})

export type SignUpField = keyof z.infer<typeof signUpSchema>
export type SignUpResult =
  | { ok: true; user: { id: string; email: string; orgId: string } }
  | { ok: false; fieldErrors: Partial<Record<SignUpField, string[]>> }
  | { ok: false; formError: string }

const EMAIL_TAKEN = 'An account with this email already exists. Sign in instead.'

/**
 * Thrown by registerUser when the connection was lost after the account's transaction was sent
 * (mayHaveCommitted): the account may exist. `cause` is the driver's error. A failure before it
 * (counting the limit, the lookup) is thrown as it came, even a lost answer: no account was sent.
 */
export class SignUpUnconfirmed extends Error {
  constructor(cause: unknown) {
    super('the database stopped answering after the account was sent', { cause })
    this.name = 'SignUpUnconfirmed'
  }
}

/**
 * Creates a user with a bcrypt password hash and their own organization (owner), in one
 * transaction. Without email verification a sign-up form cannot hide that an address is
 * registered, so each "already exists" answer counts against the caller's IP like a failed
 * sign-in: probing addresses here is held to the same 30 per 15 minutes. The attempt is
 * counted before the lookup (see rate-limit.ts) and that count is taken back when the account
 * is created; the account itself counts toward the address's 20 sign-ups per 15 minutes.
 *
 * Audit: this writes `user.signed_up`; the sign-in that follows (signUpAction) writes its own
 * `user.signed_in`. Two rows for one request, on purpose: one fact is "an account now
 * exists", the other "a session was started", and every session start is a `user.signed_in`
 * whichever form started it.
 */
export async function registerUser(
  db: Database,
  input: Record<string, unknown>,
  { ip }: { ip: string | undefined },
): Promise<SignUpResult> {
  const parsed = signUpSchema.safeParse(input)
  if (!parsed.success) return { ok: false, fieldErrors: z.flattenError(parsed.error).fieldErrors }
  const { name, email, password } = parsed.data

  const [failureKey, signUpKey] = signUpKeysFor(ip)
  const reservation = await reserveSignInAttempt(db, [failureKey, signUpKey])
  if (reservation.limited) return { ok: false, formError: tooManyAttemptsMessage(reservation.retryAfterMinutes) }
  const failureCount = countedUnder(reservation, failureKey)
  const signUpCount = countedUnder(reservation, signUpKey)

  // From here an "already exists" answer keeps its failure count (no account was created, so
  // not its sign-up count); an account created keeps only its sign-up count. A failed lookup
  // gives both back (the database is failing; nothing costly was done), but a failed insert
  // keeps its sign-up count: the password was hashed by then, and an input that makes the
  // insert fail must not buy unlimited bcrypt work from one address. Counts are given back
  // without letting a failed release hide the error: the rows expire anyway.
  const giveBack = (counted: CountedRows) => releaseSignInAttempt(db, counted).catch(() => undefined)
  let existing: { id: string } | undefined
  try {
    ;[existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)
  } catch (error) {
    await giveBack(reservation)
    throw error
  }
  if (existing) {
    await releaseSignInAttempt(db, signUpCount)
    return { ok: false, fieldErrors: { email: [EMAIL_TAKEN] } }
  }

  let created: { id: string; orgId: string }
  try {
    const passwordHash = await hashPassword(password)
    created = await db.transaction(async (tx) => {
      const [user] = await tx.insert(users).values({ name, email, passwordHash }).returning({ id: users.id })
      if (!user) throw new Error('user insert returned no row')
      return { id: user.id, orgId: await createOwnedOrganization(tx, user.id, name) }
    })
  } catch (error) {
    if (isUniqueViolation(error)) {
      // A concurrent sign-up with this email won: as "already exists".
      await releaseSignInAttempt(db, signUpCount)
      return { ok: false, fieldErrors: { email: [EMAIL_TAKEN] } }
    }
    await giveBack(failureCount)
    throw mayHaveCommitted(error) ? new SignUpUnconfirmed(error) : error
  }
  await releaseSignInAttempt(db, failureCount)

  await logAuditEvent(db, {
    action: 'user.signed_up',
    orgId: created.orgId,
    actorId: created.id,
    subject: { type: 'user', id: created.id },
    metadata: { provider: 'credentials' },
  })
  await track(
    'signed_up',
    { feature: 'auth', surface: 'sign_up_form', method: 'credentials', org_id: created.orgId },
    { distinctId: created.id },
  )
  return { ok: true, user: { id: created.id, email, orgId: created.orgId } }
}

export type AuthenticateResult =
  | { ok: true; user: { id: string; name: string | null; email: string; orgId: string } }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'rate_limited'; retryAfterMinutes: number }

/**
 * Checks an email and password. Refuses without checking once this account from this address
 * has 10 failures in 15 minutes, or the address 30 (rate-limit.ts); otherwise every failure is
 * counted and recorded in the audit log (against the account's organization when the account
 * exists), up to 50 rows per organization in 15 minutes, past which it is logged. The attempt
 * is counted before the password is compared, so parallel guesses cannot overrun the limit.
 */
export async function authenticate(
  db: Database,
  { email: rawEmail, password, ip }: { email: string; password: string; ip: string | undefined },
): Promise<AuthenticateResult> {
  const email = rawEmail.trim().toLowerCase()
  const keys = keysFor({ email, ip })
  const reservation = await reserveSignInAttempt(db, keys)
  if (reservation.limited) {
    // Logged, not audited: refused attempts are unbounded and would let anyone flood the trail.
    logger.warn({ retry_after_minutes: reservation.retryAfterMinutes }, 'sign_in_rate_limited')
    return { ok: false, reason: 'rate_limited', retryAfterMinutes: reservation.retryAfterMinutes }
  }

  // One query whether or not the account exists (its organization comes with it), and one
  // bcrypt comparison either way: a wrong password and an unknown email do the same work.
  // An email with a control character or over the length limit matches no account (sign-up
  // refuses both), and a NUL would make the lookup itself a database error: it takes the
  // unknown-email path. Not the whole sign-up rule: an account created before a rule was added
  // (a part before the @ over 64 characters) can still sign in.
  const [user] =
    email && email.length <= EMAIL_MAX_LENGTH && !CONTROL_CHARACTERS.test(email)
      ? await db
          .select({
            id: users.id,
            name: users.name,
            email: users.email,
            passwordHash: users.passwordHash,
            orgId: memberships.orgId,
          })
          .from(users)
          .leftJoin(memberships, eq(memberships.userId, users.id))
          .where(eq(users.email, email))
          .orderBy(memberships.createdAt)
          .limit(1)
      : []
  const valid = await verifyPassword(password, user?.passwordHash)

  if (!user || !valid) {
    // The reserved attempt is the counted failure; its audit row is capped per organization.
    const orgId = user?.orgId ?? null
    const reason = user ? 'wrong_password' : 'unknown_email'
    const record = await reserveFailedSignInRecord(db, orgId)
    if (record === 'log_only') logger.warn({ org_id: orgId, reason }, 'sign_in_failure_not_recorded')
    else
      await logAuditEvent(db, {
        action: 'user.sign_in_failed',
        orgId,
        actorId: null,
        ...(user ? { subject: { type: 'user' as const, id: user.id } } : {}),
        metadata: { provider: 'credentials', reason, ...(record === 'record_last' ? { limit_reached: true } : {}) },
      })
    return { ok: false, reason: 'invalid' }
  }

  await clearSignInFailures(db, keys, reservation)
  return {
    ok: true,
    user: { id: user.id, name: user.name, email, orgId: user.orgId ?? (await ensureOrganization(db, user.id)) },
  }
}

/** Postgres unique_violation (23505), wherever the driver or Drizzle put it in the cause chain. */
function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}
