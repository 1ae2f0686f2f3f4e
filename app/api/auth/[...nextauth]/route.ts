// Auth.js endpoints: OAuth redirects and callbacks, CSRF token, session, sign-out. Their time
// counts for the auth feature (feature_work_seconds{feature="auth",kind="api"}).
import { handlers } from '@/lib/auth'
import { withRouteInstrumentation } from '@/lib/errors'

export const GET = withRouteInstrumentation('auth', handlers.GET)
export const POST = withRouteInstrumentation('auth', handlers.POST)
