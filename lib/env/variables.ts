// Every environment variable the app reads: its schema, what it is for, and whether production
// needs it. The one list that the validation (index.ts), .env.example and the README follow.
import { z } from 'zod'
import { databaseTargetFrom, httpOrigin, parseDsn } from './formats'

/** Empty strings count as unset: `FOO=` in a .env file must not switch an integration on. */
export const unsetIfEmpty = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional())

const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess(unsetIfEmpty, schema.optional().default(fallback as never))

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
 * A comma-separated list of http(s) origins, each in the form undici gives a request's origin
 * (so matching one is a Set lookup); unset or empty is none. Each bad entry is its own problem,
 * named, unless it may hold a credential (an `@`), which is not repeated into the logs.
 */
const originList = z.preprocess(unsetIfEmpty, z.string().optional()).transform((value, ctx) => {
  const origins: string[] = []
  for (const entry of (value ?? '').split(',').map((item) => item.trim())) {
    if (entry === '') continue
    const origin = httpOrigin(entry)
    if (origin !== undefined) origins.push(origin)
    else
      ctx.addIssue({
        code: 'custom',
        message: `has ${entry.includes('@') ? 'an entry with a user name or password' : JSON.stringify(entry)}, which is not an http(s) origin: scheme://host[:port] exactly (no path, query, credentials or wildcard), e.g. https://api.internal.example`,
      })
  }
  return origins
})

/** How to make an AUTH_SECRET: said when it is too short and when production finds it unset. */
export const MAKE_AUTH_SECRET = 'make one with npx auth secret, or openssl rand -base64 32'

/**
 * Every variable the app reads: its schema, what it is for (quoted in error messages), and
 * whether a production server refuses to start without it; `hint`, where there is one, says how
 * to get a value, and follows the complaint that it is unset. Integrations are optional
 * everywhere: leaving one unset switches it off rather than breaking the app.
 */
export const ENV_VARS = {
  DATABASE_URL: {
    schema: optional(databaseUrl),
    purpose: 'the database: postgres://… for PostgreSQL, pglite:<dir> or pglite:memory for the embedded database',
    requiredInProduction: true,
  },
  LOG_LEVEL: {
    schema: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])),
    purpose: 'the lowest log level written (fatal, error, warn, info, debug, trace or silent)',
    requiredInProduction: false,
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: withDefault(
      z.coerce
        .number('must be a number of milliseconds')
        .int('must be a whole number of milliseconds')
        .min(1000, 'must be at least 1000 (1 second)')
        .max(120_000, 'must be at most 120000 (2 minutes)'),
      8_000,
    ),
    purpose:
      'how long the Node server may take to stop on SIGTERM or SIGINT: requests in flight finish, then audit rows, analytics events, error events and spans are flushed; what is left at the deadline is logged (default 8000, below the 10 s docker stop waits)',
    requiredInProduction: false,
  },
  AUTH_SECRET: {
    schema: optional(z.string().min(32, `must be at least 32 characters (${MAKE_AUTH_SECRET})`)),
    purpose: 'the key that signs and encrypts session cookies; development generates one in .data/ when unset',
    requiredInProduction: true,
    hint: MAKE_AUTH_SECRET,
  },
  AUTH_URL: {
    schema: optional(
      z.url({ protocol: /^https?$/, error: "must be the app's public http(s) URL, e.g. https://app.example.com" }),
    ),
    purpose:
      'the public URL of the app (https://app.example.com), which Auth.js builds its callback and redirect URLs from instead of the Host header',
    requiredInProduction: false, // or AUTH_TRUST_HOST, or Vercel: see the host check in parseEnv
  },
  AUTH_TRUST_HOST: {
    schema: z
      .preprocess(unsetIfEmpty, z.enum(['0', '1', 'true', 'false']).optional())
      .transform((v) => v === '1' || v === 'true'),
    purpose:
      'true when a proxy you run sets the Host / X-Forwarded-Host headers: Auth.js then builds its URLs from them (the alternative to AUTH_URL)',
    requiredInProduction: false,
  },
  TRUSTED_PROXY_HOPS: {
    schema: optional(
      z.coerce
        .number('must be a whole number from 0 to 10')
        .int('must be a whole number from 0 to 10')
        .min(0, 'must be a whole number from 0 to 10')
        .max(10, 'must be a whole number from 0 to 10'),
    ),
    purpose:
      "how many proxies of yours append to X-Forwarded-For in front of the app (0: the socket's peer is the client; 1: one nginx or load balancer); the sign-in limits and the Web Vitals budget key on the address this yields. Default 1 on Vercel, else 0",
    requiredInProduction: false,
  },
  VERCEL: {
    schema: optional(z.string()),
    purpose: 'set by Vercel on its deployments (not by you): its proxy is trusted for the client address and the host',
    requiredInProduction: false,
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
  NEXT_PUBLIC_POSTHOG_KEY: {
    schema: optional(z.string()),
    purpose: 'the PostHog project API key; without it analytics stay local (debug log lines) and nothing is sent',
    requiredInProduction: false,
  },
  POSTHOG_HOST: {
    schema: withDefault(z.url(), 'https://us.i.posthog.com'),
    purpose: 'the PostHog ingestion host /ingest forwards to (EU: https://eu.i.posthog.com)',
    requiredInProduction: false,
  },
  POSTHOG_ASSETS_HOST: {
    schema: withDefault(z.url(), 'https://us-assets.i.posthog.com'),
    purpose: 'the PostHog static-assets host /ingest/static forwards to (EU: https://eu-assets.i.posthog.com)',
    requiredInProduction: false,
  },
  FEATURE_FLAGS: {
    schema: optional(z.string()),
    purpose: 'local feature-flag values, e.g. "customer_history=false"; when set they replace PostHog flags',
    requiredInProduction: false,
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. http://localhost:4318' })),
    purpose:
      'the OTLP/HTTP endpoint traces are exported to (Jaeger, Tempo, Honeycomb, Grafana Cloud…; /v1/traces is appended); unset means no trace export',
    requiredInProduction: false,
  },
  OTEL_PROPAGATE_TO: {
    schema: originList,
    purpose:
      'the origins of your own services that outgoing fetch calls continue the trace into (traceparent, tracestate, baggage), comma-separated, e.g. https://api.internal.example,http://127.0.0.1:4000; every other destination (PostHog, Sentry, GitHub…) gets no trace header. Unset: none',
    requiredInProduction: false,
  },
  GIT_COMMIT_SHA: {
    schema: optional(z.string()),
    purpose:
      'the commit this build is from, where the platform does not say (Vercel sets VERCEL_GIT_COMMIT_SHA): the release on log lines, spans, /status and Sentry events, and the release source maps are uploaded under. Read when building and when starting (default dev)',
    requiredInProduction: false,
  },
  OTEL_SERVICE_NAME: {
    schema: optional(
      z.string().regex(/^[\w.-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores'),
    ),
    purpose: 'the service name on traces and log lines (default signalbox)',
    requiredInProduction: false,
  },
  METRICS_TOKEN: {
    schema: optional(z.string().min(16, 'must be at least 16 characters')),
    purpose: 'the bearer token Prometheus sends to scrape /api/metrics; without it the endpoint is off in production',
    requiredInProduction: false,
  },
  METRICS_PORT: {
    schema: optional(
      z.coerce
        .number('must be a port number, e.g. 9464')
        .int('must be a whole port number, e.g. 9464')
        .min(1, 'must be a port from 1 to 65535')
        .max(65535, 'must be a port from 1 to 65535'),
    ),
    purpose:
      'the port of a second listener that serves only the Prometheus metrics (9464 by convention), so scrapes never go through the public port; unset: no such listener, /api/metrics only',
    requiredInProduction: false,
  },
  METRICS_HOST: {
    schema: withDefault(
      z.union([z.ipv4(), z.ipv6(), z.hostname()], {
        error: 'must be an address to listen on, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)',
      }),
      '127.0.0.1',
    ),
    purpose:
      'the address the METRICS_PORT listener binds to (default 127.0.0.1, this machine only; 0.0.0.0 in a container whose port only Prometheus can reach)',
    requiredInProduction: false,
  },
  DEBUG_ROUTES: {
    schema: z
      .preprocess(unsetIfEmpty, z.enum(['0', '1', 'true', 'false']).optional())
      .transform((v) => v === '1' || v === 'true'),
    purpose: 'switch for the operator routes that fail on purpose (/api/debug/*, /debug/*): 1 to enable',
    requiredInProduction: false,
  },
  NEXT_PUBLIC_SENTRY_DSN: {
    schema: optional(
      z.string().refine((dsn) => parseDsn(dsn) !== undefined, {
        message: 'must look like https://<key>@<host>[/<prefix>]/<project id>',
      }),
    ),
    purpose:
      'the Sentry (or self-hosted Sentry, or GlitchTip) project DSN; unset switches error tracking off. Read when building (browser) and when starting (server)',
    requiredInProduction: false,
  },
  SENTRY_ENVIRONMENT: {
    schema: optional(z.string()),
    purpose: 'the environment name on Sentry events (default: VERCEL_ENV, else NODE_ENV)',
    requiredInProduction: false,
  },
  SENTRY_TRACES_SAMPLE_RATE: {
    schema: optional(z.coerce.number().min(0).max(1)),
    purpose: 'the share of requests and page loads traced in Sentry, from 0 (errors only) to 1 (default 0.1)',
    requiredInProduction: false,
  },
  SENTRY_AUTH_TOKEN: {
    schema: optional(z.string()),
    purpose:
      'build only: a Sentry auth token to upload source maps; unset means no upload and no network at build time',
    requiredInProduction: false,
  },
  SENTRY_ORG: {
    schema: optional(z.string()),
    purpose: 'build only: the Sentry organization slug that source maps are uploaded to',
    requiredInProduction: false,
  },
  SENTRY_PROJECT: {
    schema: optional(z.string()),
    purpose: 'build only: the Sentry project slug that source maps are uploaded to',
    requiredInProduction: false,
  },
  SENTRY_SPOTLIGHT: {
    schema: optional(
      z.string().regex(/^(0|1|true|false|https?:\/\/.+)$/, { message: 'must be 1, 0 or the Spotlight sidecar URL' }),
    ),
    purpose: 'development only: 1 (or a sidecar URL) also sends Sentry events to Spotlight on this machine',
    requiredInProduction: false,
  },
} as const satisfies Record<
  string,
  { schema: z.ZodType; purpose: string; requiredInProduction: boolean; hint?: string }
>
