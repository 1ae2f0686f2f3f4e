// Who may scrape /api/metrics: anyone in development; in production only when METRICS_TOKEN is
// set, and then only with `Authorization: Bearer <token>`.
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
