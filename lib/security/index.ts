// Security headers that need the request: the Content-Security-Policy, with a fresh nonce each
// time. The proxy is the only caller; the headers without a nonce are in next.config.js. And
// which server-action posts come from another origin (action-origin.ts).
import { spotlightFrom } from '../errors/settings'
import { CONTENT_SECURITY_POLICY_HEADER, contentSecurityPolicy, newNonce } from './content-security-policy'
import { prerenderedScriptHashes } from './prerendered-scripts'

export { CONTENT_SECURITY_POLICY_HEADER }
export { isCrossOriginActionPost } from './action-origin'

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
 */
export function contentSecurityPolicyForRequest(): string {
  const development = process.env.NODE_ENV === 'development'
  return contentSecurityPolicy({
    nonce: newNonce(),
    scriptHashes: prerenderedScriptHashes(),
    development,
    developmentConnectSources: development ? spotlightOrigin() : [],
    formRedirectSources: process.env.AUTH_GITHUB_ID?.trim() ? [GITHUB_AUTHORIZE_ORIGIN] : [],
  })
}
