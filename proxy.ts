import { NextResponse, type NextRequest } from 'next/server'

// Placeholder: passes every request through. Request IDs arrive with the correlation issue.
export function proxy(_request: NextRequest) {
  return NextResponse.next()
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|ingest|monitoring).*)'],
}
