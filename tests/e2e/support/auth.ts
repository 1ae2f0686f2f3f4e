// Signing up through the real form, as every spec that needs a signed-in user does.
import { expect, type Page } from '@playwright/test'
import type { AppServer } from './server'

export const TEST_PASSWORD = 'a long enough password'

/**
 * Fills and submits the sign-up form and waits to land on /customers. Returns the request ID
 * of the sign-up action's response, which names that request in the logs, traces and events.
 * `timeout`: for `next dev`, where the action and /customers compile on their first request.
 */
export async function signUp(
  page: Page,
  app: AppServer,
  email: string,
  {
    name = 'Ada Lovelace',
    password = TEST_PASSWORD,
    timeout,
  }: { name?: string; password?: string; timeout?: number } = {},
): Promise<string> {
  await page.goto(`${app.url}/sign-up`, { timeout })
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  const action = page.waitForResponse(
    (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/sign-up',
    { timeout },
  )
  await page.getByRole('button', { name: 'Create account' }).click()
  await expect(page).toHaveURL(`${app.url}/customers`, { timeout })
  return (await action).headers()['x-request-id']!
}
