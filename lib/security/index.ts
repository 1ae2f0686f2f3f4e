// Security headers that need the request: the Content-Security-Policy, with a fresh nonce each
// time. The proxy is the only caller; the headers without a nonce are in next.config.js. And
// which server-action posts come from another origin (action-origin.ts) or cannot be read
// (action-body.ts).
import { spotlightFrom } from '../errors/settings'
import { CONTENT_SECURITY_POLICY_HEADER, contentSecurityPolicy, newNonce } from './content-security-policy'
import { prerenderedScriptHashes } from './prerendered-scripts'

export { CONTENT_SECURITY_POLICY_HEADER }
export { hasForeignOrigin, isCrossOriginActionPost } from './action-origin'
export { ACTION_BODY_LIMIT_BYTES, unreadableActionBody } from './action-body'

const SPOTLIGHT_SIDECAR = 'http://localhost:8969'
// "Continue with GitHub" is a form whose answer redirects here (before hydration, or without
// JavaScript, the browser follows that redirect under form-action).
const GITHUB_AUTHORIZE_ORIGIN = 'https://github.com'

/** The browser-side Spotlight sidecar's origin, when `next dev` runs with SENTRY_SPOTLIGHT. */
function spotlightOrigin(): string[] {
  const spotlight = spotlightFrom(process.env.SENTRY_SPOTLIGHT?.trim(), process.env.NODE_ENV)
  if (!spotlight) return []
  return [spotlight === true ? SPOTLIGHT_SIDECAR : new URL(spotlight).origin]
}

/**
 * The policy for one response. The proxy sends it to the browser and also down to Next, which
 * reads the nonce from the request's copy and puts it on the scripts of the page it renders.
 * Only the nonce changes from one response to the next: the rest is built once per process
 * (the proxy runs for nearly every request, and the hashes make the policy long).
 */
export function contentSecurityPolicyForRequest(): string {
  policyAroundNonce ??= buildPolicyAroundNonce()
  return `${policyAroundNonce[0]}${newNonce()}${policyAroundNonce[1]}`
}

let policyAroundNonce: readonly [string, string] | undefined

function buildPolicyAroundNonce(): readonly [string, string] {
  const development = process.env.NODE_ENV === 'development'
  const slot = 'NONCE-SLOT' // not base64 (it has a dash), so it cannot be a real nonce
  const policy = contentSecurityPolicy({
    nonce: slot,
    scriptHashes: prerenderedScriptHashes(),
    development,
    developmentConnectSources: development ? spotlightOrigin() : [],
    formRedirectSources: process.env.AUTH_GITHUB_ID?.trim() ? [GITHUB_AUTHORIZE_ORIGIN] : [],
  })
  const at = policy.indexOf(slot)
  return [policy.slice(0, at), policy.slice(at + slot.length)]
}
