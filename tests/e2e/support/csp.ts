// Content-Security-Policy checks shared by the specs that each serve one build (default, Sentry,
// PostHog): collect every violation a browser reports, and visit every page of the app with a
// session so that each build's scripts, workers and requests meet the policy.
import { expect, type Page, type Response } from '@playwright/test'
import { signUp } from './auth'
import type { AppServer } from './server'

export type CspWatch = {
  /**
   * `securitypolicyviolation` events, and Chromium's console lines about the policy ("Refused
   * to …", "… violates the following Content Security Policy directive …") or about a malformed
   * Permissions-Policy, each with the page's URL.
   */
  violations: string[]
  /** The reported violations of exactly `directive` (`script-src-elem`, `connect-src`…). */
  of: (directive: string) => string[]
}

const VIOLATION_PREFIX = 'csp-violation '

/**
 * Starts collecting the page's CSP violations, across navigations. An init script (which the
 * page's CSP does not govern) reports each `securitypolicyviolation` event on the console, next
 * to Chromium's own lines.
 */
export async function watchCsp(page: Page): Promise<CspWatch> {
  const violations: string[] = []
  await page.addInitScript((prefix) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.warn(
        `${prefix}${event.effectiveDirective} blocked=${event.blockedURI} source=${event.sourceFile}:${event.lineNumber} sample=${event.sample}`,
      )
    })
  }, VIOLATION_PREFIX)
  page.on('console', (message) => {
    const text = message.text()
    if (text.startsWith(VIOLATION_PREFIX) || /Refused to|Content Security Policy|Permissions-Policy/.test(text))
      violations.push(`${page.url()} ${text}`)
  })
  return {
    violations,
    of: (directive) => violations.filter((line) => line.includes(`${VIOLATION_PREFIX}${directive} `)),
  }
}

/** The directives of a Content-Security-Policy header value, by name. */
export function directivesOf(policy: string | undefined): Map<string, string[]> {
  const directives = new Map<string, string[]>()
  for (const part of (policy ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) directives.set(name.toLowerCase(), sources)
  }
  return directives
}

/** Loads `url`, waits until the page is idle (lazy SDK chunks, Session Replay), and returns the document's response. */
async function visit(page: Page, url: string): Promise<Response> {
  const response = await page.goto(url)
  expect(response, url).not.toBeNull()
  await page.waitForLoadState('networkidle')
  // Session Replay is loaded from requestIdleCallback once the page is idle.
  await page.waitForTimeout(500)
  return response!
}

/**
 * Every page of the app, signed out and then signed in (through the real sign-up form, with a
 * customer to open): /, /sign-in, /sign-up, /status, a 404, /customers, /customers/<id>,
 * /activity, and the error page (/debug/error, which needs DEBUG_ROUTES=1 on the server).
 * Each document must have been served with an enforced policy that names a script-src.
 * Returns the visited paths.
 */
export async function visitEveryPage(page: Page, app: AppServer): Promise<string[]> {
  const visited: string[] = []
  const open = async (path: string, status = 200) => {
    const response = await visit(page, `${app.url}${path}`)
    expect(response.status(), path).toBe(status)
    expect(
      directivesOf(response.headers()['content-security-policy']).get('script-src'),
      `${path} has a script-src`,
    ).toBeTruthy()
    visited.push(path)
  }
  for (const path of ['/', '/sign-in', '/sign-up', '/status']) await open(path)
  await open('/no-such-page', 404)

  await signUp(page, app, `csp-${Date.now()}@example.com`)
  await page.waitForLoadState('networkidle')
  const created = await page.request.post(`${app.url}/api/customers`, {
    data: { name: 'Policy Person', email: `policy-${Date.now()}@example.com` },
  })
  expect(created.status()).toBe(201)
  const { customer } = (await created.json()) as { customer: { id: string } }
  for (const path of ['/customers', `/customers/${customer.id}`, '/activity', '/status', '/']) await open(path)
  await open('/no-such-page', 404)
  await open('/debug/error', 500)
  await expect(page.getByRole('heading', { name: 'Something went wrong' })).toBeVisible()
  // A client-side navigation too: the document's policy governs what the next route loads.
  await open('/customers')
  await page.getByRole('link', { name: 'Activity' }).click()
  await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible()
  await page.waitForLoadState('networkidle')
  return visited
}
