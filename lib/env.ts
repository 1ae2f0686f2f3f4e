// The one place that knows which environment variables exist, what each is for, and which
// ones production cannot do without. Everything else reads configuration through `env()`.
import { z } from 'zod'
import { databaseTargetFrom } from './db/url'

/** Empty strings count as unset: `FOO=` in a .env file must not switch an integration on. */
const unsetIfEmpty = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional())

const databaseUrl = z.string().refine(
  (url) => {
    try {
      databaseTargetFrom(url)
      return true
    } catch {
      return false
    }
  },
  { message: 'must start with postgres://, postgresql:// or pglite: (pglite:<dir> or pglite:memory)' },
)

/**
 * Every variable the app reads: its schema, what it is for (quoted in error messages), and
 * whether a production server refuses to start without it. Integrations are optional
 * everywhere: leaving one unset switches it off rather than breaking the app.
 */
export const ENV_VARS = {
  DATABASE_URL: {
    schema: optional(databaseUrl),
    purpose:
      'the database: postgres://… for PostgreSQL, pglite:<dir> or pglite:memory for the embedded database',
    requiredInProduction: true,
  },
  LOG_LEVEL: {
    schema: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
    purpose: 'the lowest log level written (fatal, error, warn, info, debug, trace or silent)',
    requiredInProduction: false,
  },
  AUTH_SECRET: {
    schema: optional(z.string().min(32, 'must be at least 32 characters (npx auth secret, or openssl rand -base64 32)')),
    purpose:
      'the key that signs and encrypts session cookies; development generates one in .data/ when unset',
    requiredInProduction: true,
  },
  AUTH_GITHUB_ID: {
    schema: optional(z.string()),
    purpose: 'the client ID of a GitHub OAuth app: with AUTH_GITHUB_SECRET, adds "Continue with GitHub"',
    requiredInProduction: false,
  },
  AUTH_GITHUB_SECRET: {
    schema: optional(z.string()),
    purpose: 'the client secret of that GitHub OAuth app',
    requiredInProduction: false,
  },
  DEBUG_ROUTES: {
    schema: z.preprocess(unsetIfEmpty, z.enum(['0', '1', 'true', 'false']).optional()).transform((v) => v === '1' || v === 'true'),
    purpose: 'switch for the operator routes that fail on purpose (/api/debug/*, /debug/*): 1 to enable',
    requiredInProduction: false,
  },
} as const satisfies Record<
  string,
  { schema: z.ZodType; purpose: string; requiredInProduction: boolean }
>

export type EnvName = keyof typeof ENV_VARS
type Env = { [K in EnvName]: z.output<(typeof ENV_VARS)[K]['schema']> }

const schema = z.object(
  Object.fromEntries(Object.entries(ENV_VARS).map(([name, spec]) => [name, spec.schema])) as {
    [K in EnvName]: (typeof ENV_VARS)[K]['schema']
  },
)

export class EnvError extends Error {
  override name = 'EnvError'
}

/** True in a running production server; false during `next build`, development and tests. */
export function isProductionRuntime(source: NodeJS.ProcessEnv = process.env): boolean {
  return source.NODE_ENV === 'production' && source.NEXT_PHASE !== 'phase-production-build'
}

/**
 * Validates `source` and returns typed values. Each problem becomes one line that names the
 * variable and says what it is for. Required-in-production checks apply only to a running
 * production server, so `next build` never needs a secret or a database.
 */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = schema.safeParse(source)
  const problems: string[] = []
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as EnvName
      problems.push(`${name} ${issue.message}. It is ${ENV_VARS[name].purpose}.`)
    }
  }
  // Half an OAuth app is a typo, not a choice: say so rather than silently hide the button.
  for (const [name, partner] of [['AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET'], ['AUTH_GITHUB_SECRET', 'AUTH_GITHUB_ID']] as const) {
    if (unsetIfEmpty(source[partner]) !== undefined && unsetIfEmpty(source[name]) === undefined) {
      problems.push(`${name} is required when ${partner} is set. It is ${ENV_VARS[name].purpose}.`)
    }
  }
  if (isProductionRuntime(source)) {
    for (const [name, spec] of Object.entries(ENV_VARS)) {
      if (spec.requiredInProduction && unsetIfEmpty(source[name]) === undefined) {
        problems.push(`${name} is required in production and is not set. It is ${spec.purpose}.`)
      }
    }
  }
  if (problems.length > 0) throw new EnvError(problems.join('\n'))
  return result.data as Env
}

let cached: Env | undefined

/** The validated environment of this process, parsed once. */
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
