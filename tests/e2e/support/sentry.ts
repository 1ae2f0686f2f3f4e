// Helpers shared by the error-tracking specs (sentry.spec.ts, sentry-without-dsn.spec.ts and the
// tests sentry.spec.ts gathers from tests/e2e/sentry/): the secrets planted in requests, waiting
// for events at the recorder, envelopes for the tunnel, and signed-in users.
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test'
import type { RecordedEvent, SentryRecorder } from '../../support/sentry-recorder'
import { signUp } from './auth'
import type { AppServer } from './server'

/** The extra production build with the recorder's DSN inlined; the default .next stays DSN-free. */
export const SENTRY_DIST_DIR = '.next-e2e-sentry'

/** The recorder and the server of that build, which sentry.spec.ts starts once for its tests. */
export type SentryServer = { recorder: SentryRecorder; app: AppServer }

// Sent in headers, query strings, cookies and bodies; none may ever reach Sentry.
export const PLANTED = {
  password: 'planted-password-hunter2',
  bearer: 'planted-bearer-token-7f3a',
  cookie: 'planted-cookie-value-91c2',
  email: 'planted.person@example.com',
  queryToken: 'planted-query-token-55d0',
}

export function expectNothingPlanted(recorder: SentryRecorder): void {
  const everything = recorder.allText()
  for (const [name, secret] of Object.entries(PLANTED)) {
    expect(everything.includes(secret), `the planted ${name} reached Sentry`).toBe(false)
  }
}

/** Waits for the first matching event, then a little longer so a duplicate would show up too. */
export async function eventsFor(recorder: SentryRecorder, message: string): Promise<RecordedEvent[]> {
  await recorder.waitFor(() => recorder.eventsWithMessage(message).length > 0, 15_000)
  await new Promise((resolve) => setTimeout(resolve, 2000))
  return recorder.eventsWithMessage(message)
}

export function envelopeFor(
  dsn: string,
  body = '{"event_id":"0123456789abcdef0123456789abcdef","message":"tunnel test"}',
): string {
  return `${JSON.stringify({ dsn, sent_at: new Date().toISOString() })}\n{"type":"event"}\n${body}\n`
}

/** Every request the page makes, to check the browser talks to no one but the app. */
export function recordRequests(page: Page): URL[] {
  const urls: URL[] = []
  page.on('request', (request) => urls.push(new URL(request.url())))
  return urls
}

export type SignedInUser = { context: BrowserContext; id: string; orgId: string; email: string }

export async function signedInUser(browser: Browser, app: AppServer, name: string): Promise<SignedInUser> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const email = `${name}-${Date.now()}@example.com`
  await signUp(page, app, email, { name })
  const session = (await (await context.request.get(`${app.url}/api/auth/session`)).json()) as {
    user: { id: string }
    orgId: string
  }
  await page.close()
  return { context, id: session.user.id, orgId: session.orgId, email }
}

/** Interleaved failing requests from several users at once: each event must name its own user. */
export async function expectEachEventNamesItsUser(
  recorder: SentryRecorder,
  app: AppServer,
  users: SignedInUser[],
): Promise<void> {
  expect(new Set(users.map((user) => user.id)).size).toBe(users.length)
  const calls = Array.from({ length: 20 }, (_, i) => ({
    user: users[i % users.length]!,
    requestId: `user-scope-${i}-${Date.now()}`,
  }))
  await Promise.all(
    calls.map((call) =>
      call.user.context.request.get(`${app.url}/api/debug/sentry`, { headers: { 'x-request-id': call.requestId } }),
    ),
  )
  const byRequest = () =>
    new Map(
      recorder.eventsWithMessage('Planted server error from /api/debug/sentry').map((e) => [e.tags?.request_id, e]),
    )
  await recorder.waitFor(() => calls.every((call) => byRequest().has(call.requestId)), 20_000)
  for (const call of calls) {
    const event = byRequest().get(call.requestId)!
    expect(event.user).toEqual({ id: call.user.id })
    expect(event.tags?.org_id).toBe(call.user.orgId)
  }
}
