// Who may scrape /api/metrics: with METRICS_TOKEN set, only a request with
// `Authorization: Bearer <token>`, in development too; without it, anyone in development and
// nobody in production (the route answers 404).
import { createHash, timingSafeEqual } from 'node:crypto'

export type ScrapeDecision = 'allow' | 'disabled' | 'unauthorized'

const digest = (value: string) => createHash('sha256').update(value).digest()

export function scrapeDecision(options: {
  production: boolean
  token: string | undefined
  authorization: string | null
}): ScrapeDecision {
  const { production, token, authorization } = options
  if (!token) return production ? 'disabled' : 'allow'
  const match = /^Bearer (.+)$/.exec(authorization ?? '')
  // Compare digests: equal length, constant time, whatever the caller sent.
  if (!match?.[1] || !timingSafeEqual(digest(match[1]), digest(token))) return 'unauthorized'
  return 'allow'
}
