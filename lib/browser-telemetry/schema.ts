// What a browser may send to POST /api/browser-events, and nothing more: a few entries, each
// bounded in size and range, so a beacon can neither grow the server's memory nor its metrics'
// label sets. Parsed on the server only (zod never reaches the browser: client code imports the
// types alone).
import { z } from 'zod'
import { isValidRequestId } from '../request/id'
import { MAX_ENTRIES, MAX_MESSAGE_LENGTH, MAX_STACK_LENGTH } from './limits'

export const VITAL_NAMES = ['LCP', 'INP', 'CLS', 'TTFB', 'FCP'] as const
export type VitalName = (typeof VITAL_NAMES)[number]

/** Milliseconds: anything past ten minutes is not a page load, it is a broken clock. */
const MAX_VITAL_MS = 600_000
/** Unitless; real pages stay below 1, a page that keeps jumping can pass it. */
const MAX_CLS = 100

/** The same rule as the proxy's (lib/request/id.ts): an ID it would not have kept is refused. */
const requestId = z.string().refine(isValidRequestId, 'not a valid request ID')

/** The page it came from, as the browser named it (route-pattern.ts); the server re-checks it. */
const route = z.string().max(200)

const vital = z
  .object({
    type: z.literal('vital'),
    name: z.enum(VITAL_NAMES),
    value: z.number().finite().min(0),
    rating: z.enum(['good', 'needs-improvement', 'poor']),
    /** web-vitals' ID for this metric instance, to tell a changed value from a new page. */
    id: z.string().max(100),
    navigationType: z
      .enum(['navigate', 'reload', 'back-forward', 'back-forward-cache', 'prerender', 'restore', 'soft-navigation'])
      .optional(),
    route,
    requestId: requestId.optional(),
  })
  .refine((entry) => entry.value <= (entry.name === 'CLS' ? MAX_CLS : MAX_VITAL_MS), {
    message: `out of range (CLS at most ${MAX_CLS}, times at most ${MAX_VITAL_MS} ms)`,
    path: ['value'],
  })

/** Development only: an unhandled error or rejection (the browser bounds it, the server scrubs it). */
const browserError = z.object({
  type: z.literal('error'),
  kind: z.enum(['error', 'unhandledrejection']),
  message: z.string().max(MAX_MESSAGE_LENGTH),
  stack: z.string().max(MAX_STACK_LENGTH).optional(),
  route,
  requestId: requestId.optional(),
})

/** Development only: what the page's track() calls sent (lib/analytics/client.ts). */
const browserAnalytics = z.object({
  type: z.literal('analytics'),
  event: z.string().regex(/^\w{1,64}$/),
  properties: z
    .record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean(), z.null()]))
    .refine((properties) => Object.keys(properties).length <= 30, 'at most 30 properties'),
  route,
  requestId: requestId.optional(),
})

export const browserEventsBody = z.object({
  entries: z
    .array(z.discriminatedUnion('type', [vital, browserError, browserAnalytics]))
    .min(1)
    .max(MAX_ENTRIES),
})

export type BrowserEventsBody = z.infer<typeof browserEventsBody>
export type BrowserEntry = BrowserEventsBody['entries'][number]
export type VitalEntry = Extract<BrowserEntry, { type: 'vital' }>
