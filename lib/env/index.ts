// The one place that knows which environment variables exist, what each is for, and which
// ones production cannot do without. Everything else reads configuration through `env()`.
import { z } from 'zod'
import { ENV_VARS, unsetIfEmpty } from './variables'

export { ENV_VARS, MAKE_AUTH_SECRET } from './variables'
export { DEFAULT_PGLITE_DIR, databaseTargetFrom, parseDsn, type DatabaseTarget, type ParsedDsn } from './formats'

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
  for (const [name, partner] of [
    ['AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET'],
    ['AUTH_GITHUB_SECRET', 'AUTH_GITHUB_ID'],
  ] as const) {
    if (unsetIfEmpty(source[partner]) !== undefined && unsetIfEmpty(source[name]) === undefined) {
      problems.push(`${name} is required when ${partner} is set. It is ${ENV_VARS[name].purpose}.`)
    }
  }
  // A metrics address without a metrics port would do nothing; a port shared with the app would
  // put the metrics back on the public port (or fail to listen): both are mistakes, said at start.
  if (unsetIfEmpty(source.METRICS_HOST) !== undefined && unsetIfEmpty(source.METRICS_PORT) === undefined) {
    problems.push(`METRICS_HOST is set but METRICS_PORT is not. It is ${ENV_VARS.METRICS_HOST.purpose}.`)
  }
  if (unsetIfEmpty(source.METRICS_PORT) !== undefined && source.METRICS_PORT?.trim() === source.PORT?.trim()) {
    problems.push(`METRICS_PORT must differ from PORT, the app's public port. It is ${ENV_VARS.METRICS_PORT.purpose}.`)
  }
  if (isProductionRuntime(source)) {
    for (const [name, spec] of Object.entries(ENV_VARS)) {
      if (spec.requiredInProduction && unsetIfEmpty(source[name]) === undefined) {
        const hint = 'hint' in spec ? ` (${spec.hint})` : ''
        problems.push(`${name} is required in production and is not set${hint}. It is ${spec.purpose}.`)
      }
    }
    if (result.success && !hostIsTrusted(result.data as Env, source)) {
      problems.push(
        `AUTH_URL is required in production (or AUTH_TRUST_HOST=true behind a proxy of yours that sets the Host header; Vercel needs neither). It is ${ENV_VARS.AUTH_URL.purpose}.`,
      )
    }
  }
  if (problems.length > 0) throw new EnvError(problems.join('\n'))
  return result.data as Env
}

/**
 * Whether Auth.js may take the app's origin from the request (Host, X-Forwarded-Host): in
 * development always; in production only when AUTH_URL pins it, the operator says a proxy of
 * theirs sets it (AUTH_TRUST_HOST=true), or on Vercel, whose edge sets it. Otherwise a forged
 * Host header would choose where Auth.js sends people.
 */
export function hostIsTrusted(
  config: Pick<Env, 'AUTH_URL' | 'AUTH_TRUST_HOST' | 'VERCEL'>,
  source: NodeJS.ProcessEnv = process.env,
): boolean {
  return !isProductionRuntime(source) || Boolean(config.AUTH_URL) || config.AUTH_TRUST_HOST || Boolean(config.VERCEL)
}

/** TRUSTED_PROXY_HOPS, defaulting to Vercel's one proxy on Vercel and none elsewhere. */
export function trustedProxyHops(config: Pick<Env, 'TRUSTED_PROXY_HOPS' | 'VERCEL'> = env()): number {
  return config.TRUSTED_PROXY_HOPS ?? (config.VERCEL ? 1 : 0)
}

let cached: Env | undefined

/** The validated environment of this process, parsed once. */
export function env(): Env {
  cached ??= parseEnv()
  return cached
}
