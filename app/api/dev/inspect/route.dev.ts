import { answerInspectorQuery } from '@/lib/inspect'

// The local inspector's data (development only: a `.dev.ts` route, absent from production builds).
export const dynamic = 'force-dynamic'

export function GET(request: Request) {
  return answerInspectorQuery(request)
}
