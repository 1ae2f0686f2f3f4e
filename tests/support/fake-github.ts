// A stand-in for GitHub: the OAuth token endpoint (code and refresh grants) and the user API,
// on a local HTTP server. github.com is never contacted: `routeGitHubTo` replaces only the host
// of the process's fetch() calls to github.com and api.github.com.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { vi } from 'vitest'

export type FakeGitHub = {
  url: string
  /** What the token endpoint received, in order. */
  grants: URLSearchParams[]
  /** The profile the user API returns next. */
  profile: Record<string, unknown>
  /** Answer to refresh grants: a fresh token, or an error after `delayMs`. */
  refresh: { fail: boolean; delayMs: number; expiresIn: number }
  close: () => Promise<void>
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  const fake: Omit<FakeGitHub, 'url' | 'close'> = {
    grants: [],
    profile: {},
    refresh: { fail: false, delayMs: 0, expiresIn: 3600 },
  }
  const server = http.createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
      const path = (req.url ?? '/').split('?')[0]
      if (req.method === 'POST' && path === '/login/oauth/access_token') {
        const grant = new URLSearchParams(body)
        fake.grants.push(grant)
        if (grant.get('grant_type') === 'refresh_token') {
          const { fail, delayMs, expiresIn } = fake.refresh
          setTimeout(() => {
            if (fail) json(400, { error: 'bad_refresh_token' })
            else
              json(200, {
                access_token: `gho_refreshed_${fake.grants.length}`,
                token_type: 'bearer',
                expires_in: expiresIn,
                refresh_token: 'ghr_rotated',
              })
          }, delayMs)
          return
        }
        json(200, { access_token: 'gho_first', token_type: 'bearer', scope: 'read:user,user:email' })
        return
      }
      if (req.method === 'GET' && path === '/user') return json(200, fake.profile)
      if (req.method === 'GET' && path === '/user/emails') return json(200, [])
      json(404, { message: 'Not Found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(fake, {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
}

/** fetch(), except that requests to github.com and api.github.com go to the stand-in. */
export function routeGitHubTo(fakeUrl: string) {
  const realFetch = globalThis.fetch
  return vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) => {
    const request = input instanceof Request ? input : undefined
    const url = new URL(request ? request.url : String(input))
    if (url.hostname !== 'github.com' && url.hostname !== 'api.github.com') return realFetch(input, init)
    const target = `${fakeUrl}${url.pathname}${url.search}`
    return request ? realFetch(new Request(target, request), init) : realFetch(target, init)
  })
}
