// Who a request is for, on everything it leaves behind: log lines, spans and error events.
import 'server-only'
import { annotateServerSpans, currentRequestContext } from '../request'
import { setErrorTrackingUser } from './server'

/**
 * Records who is making this request, once the session is known, so the access line, every
 * later log line and every Sentry event of the request carry the user. IDs only, never names
 * or emails: Sentry gets the user ID, and the organization ID as the `org_id` tag, on this
 * request's own (isolation) scope.
 */
export function setRequestUser(user: { userId: string; orgId?: string }): void {
  setErrorTrackingUser(user)
  const context = currentRequestContext()
  if (!context) return
  context.userId = user.userId
  if (user.orgId) context.orgId = user.orgId
  annotateServerSpans('user_id', user.userId)
  if (user.orgId) annotateServerSpans('org_id', user.orgId)
}
