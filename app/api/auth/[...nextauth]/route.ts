// Auth.js endpoints: OAuth redirects and callbacks, CSRF token, session, sign-out.
import { handlers } from '@/lib/auth'

export const { GET, POST } = handlers
