// The one Drizzle schema. `npm run db:generate` turns changes here into a migration in drizzle/.
import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow()

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
})

// --- Auth.js tables. The property names are the ones @auth/drizzle-adapter reads; the SQL
// names follow the rest of the schema. `password_hash` is ours: null for OAuth-only users.
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name'),
    /** Stored trimmed and lower-cased, so sign-in and uniqueness ignore case. */
    email: text('email'),
    emailVerified: timestamp('email_verified', { withTimezone: true, mode: 'date' }),
    image: text('image'),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email)],
)

export const accounts = pgTable(
  'accounts',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    provider: text('provider').notNull(),
    providerAccountId: text('provider_account_id').notNull(),
    refresh_token: text('refresh_token'),
    access_token: text('access_token'),
    expires_at: integer('expires_at'),
    token_type: text('token_type'),
    scope: text('scope'),
    id_token: text('id_token'),
    session_state: text('session_state'),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index('accounts_user_id_idx').on(t.userId)],
)

// Sessions are JWTs (credentials sign-in requires it); the table exists because the adapter
// contract includes it, and switching to database sessions later needs no migration.
// The live sessions (lib/auth/live-sessions.ts): one row per sign-in, deleted by signing out.
export const sessions = pgTable(
  'sessions',
  {
    sessionToken: text('session_token').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expires: timestamp('expires', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
)

export const verificationTokens = pgTable(
  'verification_tokens',
  {
    identifier: text('identifier').notNull(),
    token: text('token').notNull(),
    expires: timestamp('expires', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
)

// --- Organizations: every user has one (as owner) from their first sign-in.
export const memberships = pgTable(
  'memberships',
  {
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'member'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index('memberships_user_id_idx').on(t.userId)],
)

/**
 * Failed sign-in attempts, and accounts created, kept 15 minutes, for the per-account-and-address
 * and per-address limits (lib/auth/rate-limit.ts). In the database rather than in memory so
 * every server instance sees the same count. `key` is a hash (`account_ip:<sha256>` /
 * `ip:<sha256>` for failures, `sign_up_ip:<sha256>` for sign-ups): the table never holds an
 * email or an IP address in clear.
 */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('sign_in_failures_key_created_at_idx').on(t.key, t.createdAt),
    index('sign_in_failures_created_at_idx').on(t.createdAt),
  ],
)

// --- The customers feature.
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    email: text('email').notNull(),
    /** How it was created: the drawer (`manual`) or `POST /api/customers` (`api`). */
    source: text('source', { enum: ['manual', 'api'] }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customers_org_id_created_at_idx').on(t.orgId, t.createdAt.desc(), t.id.desc())],
)

/**
 * Who changed what. Append-only: a trigger (migration 0002) makes UPDATE and DELETE raise.
 * No foreign keys on purpose: the record must outlive the customer, user or organization it
 * names. `metadata` holds field names, sources and counts, never values such as an email.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    createdAt: createdAt(),
    orgId: uuid('org_id'),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    requestId: text('request_id'),
    /** `client` when the request arrived with that ID (kept, as the contract says), `server` when we made it. */
    requestIdSource: text('request_id_source', { enum: ['client', 'server'] }),
    metadata: jsonb('metadata')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [
    index('audit_log_org_id_created_at_idx').on(t.orgId, t.createdAt.desc()),
    index('audit_log_subject_idx').on(t.subjectType, t.subjectId),
    index('audit_log_request_id_idx').on(t.requestId),
  ],
)
