// The proxy's optimistic sign-in check: a page load without a session cookie goes to the sign-in
// page, but a server action posted from a page whose session ended meanwhile (signed out in
// another tab) goes through to its action, which answers in its form. A redirect there was an
// answer the page's script could not read: the form became the error page and lost its input.
import { NextRequest } from 'next/server'
import { describe, expect, it } from 'vitest'
import { proxy } from '@/proxy'

const ACTION_HEADERS = {
  'Next-Action': '7f3a0c2e9d8b',
  'Content-Type': 'text/plain;charset=UTF-8',
  Origin: 'http://localhost:3000',
  Host: 'localhost:3000',
}

describe('the proxy without a session cookie', () => {
  it('sends a page load to the sign-in page, to come back afterwards', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await proxy(new NextRequest('http://localhost:3000/customers?page=2', { method }))
      expect(response.status, method).toBe(307)
      expect(new URL(response.headers.get('location')!).pathname, method).toBe('/sign-in')
      expect(new URL(response.headers.get('location')!).searchParams.get('callbackUrl'), method).toBe(
        '/customers?page=2',
      )
    }
  })

  it('lets a server action through to answer for itself', async () => {
    const response = await proxy(
      new NextRequest('http://localhost:3000/customers', { method: 'POST', headers: ACTION_HEADERS, body: '[]' }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('x-middleware-next')).toBe('1')
  })
})
