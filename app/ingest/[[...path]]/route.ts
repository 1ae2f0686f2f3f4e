// posthog-js's same-origin endpoint, forwarded to PostHog without the browser's cookies
// (lib/analytics/ingest.ts). Outside the proxy matcher, like /monitoring.
import { forwardToPostHog } from '@/lib/analytics/ingest'

export const dynamic = 'force-dynamic'

export const GET = (request: Request) => forwardToPostHog(request)
export const POST = (request: Request) => forwardToPostHog(request)
