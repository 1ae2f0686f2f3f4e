// Server-action latency, measured on the real action: Chromium signs up and saves a customer
// in the drawer once, the exact HTTP request it sends (Next's action ID, router state, the
// encoded form) is recorded, and that request is replayed with the same session cookie. Every
// replay creates a customer through saveCustomerAction, with its audit row and analytics event.
import { chromium } from 'playwright-core'

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export function chromiumPath() {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium'
}

export { CHROMIUM_FLAGS }

/** Signs a new user up in Chromium and records the drawer's "Save customer" request. */
export async function recordSaveCustomerRequest(appUrl, email) {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS })
  try {
    const page = await browser.newPage()
    await page.goto(`${appUrl}/sign-up`)
    await page.getByLabel('Name').fill('Bench User')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('a long enough bench password')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${appUrl}/customers`)
    await page.getByRole('button', { name: 'New customer' }).click()
    const drawer = page.getByRole('dialog', { name: 'New customer' })
    await drawer.getByLabel('Name').fill('Bench Customer')
    await drawer.getByLabel('Email').fill('customer@bench.example')
    const sent = page.waitForRequest(
      (request) => request.method() === 'POST' && new URL(request.url()).pathname === '/customers',
    )
    await drawer.getByRole('button', { name: 'Save customer' }).click()
    const request = await sent
    // Wait for the answer's headers only: Chromium may not report the streamed body as finished.
    await request.response()
    const cookies = await page.context().cookies(appUrl)
    const headers = { ...(await request.allHeaders()) }
    for (const name of Object.keys(headers))
      if (name.startsWith(':') || name === 'content-length' || name === 'cookie') delete headers[name]
    return {
      url: request.url(),
      headers: { ...headers, cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
      body: request.postDataBuffer(),
    }
  } finally {
    await browser.close()
  }
}

/** Sends the recorded request once; resolves with the wall time to the last byte, in ms. */
export async function replay(recorded) {
  const started = performance.now()
  const response = await fetch(recorded.url, { method: 'POST', headers: recorded.headers, body: recorded.body })
  const text = await response.text()
  const elapsed = performance.now() - started
  if (response.status !== 200 || !text.includes('"saved"')) {
    throw new Error(`the replayed server action did not save a customer: ${response.status} ${text.slice(0, 300)}`)
  }
  return elapsed
}
