// What the scenarios share to drive a production server: the variables `npm start` sets, and a
// signed-in session made the way a person makes one.
import { readFileSync } from 'node:fs'
import type { AppServer } from '../../e2e/support/server'

/** The variables `npm start` sets before `next start` (e.g. NEXT_MANUAL_SIG_HANDLE=true). */
export function startScriptVariables(): Record<string, string> {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
  const prefix = scripts.start.slice(0, scripts.start.indexOf('next start'))
  return Object.fromEntries([...prefix.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map(([, name, value]) => [name!, value!]))
}

/** Signs up through the sign-up form's action, posted as a browser without JavaScript posts it. */
export async function signUp(app: AppServer, email: string, name = 'Reliability Tester'): Promise<string> {
  const page = await (await fetch(`${app.url}/sign-up`)).text()
  const form = page.slice(page.indexOf('<form'), page.indexOf('</form>'))
  const unescape = (value: string) =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'")
      .replace(/&amp;/g, '&')
  const data = new FormData()
  for (const [, field, value] of form.matchAll(/<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?\/>/g))
    data.set(field!, unescape(value ?? ''))
  data.set('name', name)
  data.set('email', email)
  data.set('password', 'a long enough password')
  const response = await fetch(`${app.url}/sign-up`, { method: 'POST', body: data, redirect: 'manual' })
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  if (response.status !== 303 || !cookie.includes('session-token')) throw new Error(`sign-up: ${response.status}`)
  return cookie
}
