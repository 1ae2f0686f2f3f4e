// The two files of rate-limiter-flexible that vitals-budget.ts loads, typed as the package's own
// declarations type them. Its index requires every limiter it has (Redis, Mongo, cluster IPC…)
// and the Node built-ins they use; the memory limiter alone is a few small files. The version is
// pinned, so these paths move only with a deliberate upgrade.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory' {
  import { RateLimiterMemory } from 'rate-limiter-flexible'
  export = RateLimiterMemory
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes' {
  import { RateLimiterRes } from 'rate-limiter-flexible'
  export = RateLimiterRes
}
