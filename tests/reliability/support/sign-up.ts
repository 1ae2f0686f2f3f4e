// Signs a user up the way a browser without JavaScript does: reads the sign-up form, posts it
// back with its hidden fields (the server action's ID and state), and keeps the session cookie.
import type { AppServer } from '../../e2e/support/server'

export async function signUp(app: AppServer, { name, email }: { name: string; email: string }): Promise<string> {
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
