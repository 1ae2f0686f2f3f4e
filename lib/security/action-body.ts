// Server-action posts whose body Next cannot read. Next answers each of them 500 (it never maps
// a failure to decode the request to a 4xx: vercel/next.js#81760, and its 413 for an oversized
// body turns into a 500 the same way), so a careless client or a fuzzer reads as our failure and
// reaches Sentry and the error log. The proxy refuses them first, by the rules of Next's action
// handler (next/dist/server/app-render/action-handler.js, 16.x): like action-origin.ts, any POST
// outside /api/ may be an action.

/** Next's default `serverActions.bodySizeLimit` (next.config.js sets none): larger bodies are refused. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024

export type ActionBodyRefusal = { status: 400 | 413; message: string }

const UNREADABLE: ActionBodyRefusal = { status: 400, message: 'Malformed server action request' }
const TOO_LARGE: ActionBodyRefusal = {
  status: 413,
  message: `Server action body over ${ACTION_BODY_LIMIT_BYTES / 1024 / 1024} MB`,
}

/**
 * Why Next's action handler could not read this request, or undefined when it could (or when it
 * is no action: not a POST, an API route, neither a `Next-Action` header nor a multipart body).
 *
 * - A fetch action (React's client sets `Next-Action`): over the size limit, 413. A multipart
 *   body must parse as multipart, and its field `0` (React's argument list) must be a JSON array;
 *   any other body must be one itself. A URL-encoded one is left to Next, which answers 404.
 * - A multipart POST without the header (a form posted before hydration or without JavaScript)
 *   must parse as multipart. Over the limit it is left to Next: it may be a route handler's upload.
 *
 * What is checked is the shape, not React's references inside the arguments (`"$1"` naming a
 * part that is missing, say): such a request still gets Next's 500 (docs/security.md).
 */
export async function unreadableActionBody(request: Request, pathname: string): Promise<ActionBodyRefusal | undefined> {
  if (request.method !== 'POST' || pathname.startsWith('/api/')) return undefined
  const contentType = request.headers.get('content-type') ?? ''
  const fetchAction = request.headers.has('next-action')
  // Next's own tests of the header, as exact as its own (case-sensitive, no parameters parsed).
  const multipart = contentType.startsWith('multipart/form-data')
  if (!fetchAction && !multipart) return undefined
  if (fetchAction && contentType === 'application/x-www-form-urlencoded') return undefined

  if (fetchAction && Number(request.headers.get('content-length')) > ACTION_BODY_LIMIT_BYTES) return TOO_LARGE
  // Next hands the proxy its own copy of the body (buffered, up to proxyClientMaxBodySize);
  // reading it leaves the one the action gets untouched.
  const body = await request.arrayBuffer()
  if (body.byteLength > ACTION_BODY_LIMIT_BYTES) return fetchAction ? TOO_LARGE : undefined

  if (multipart) {
    let form: FormData
    try {
      form = await new Response(body, { headers: { 'content-type': contentType } }).formData()
    } catch {
      return UNREADABLE
    }
    return fetchAction && !isArgumentList(form.get('0')) ? UNREADABLE : undefined
  }
  return isArgumentList(new TextDecoder().decode(body)) ? undefined : UNREADABLE
}

/** True for text that is a JSON array: Next calls the action with it as the arguments (`apply`). */
function isArgumentList(value: FormDataEntryValue | null): boolean {
  if (typeof value !== 'string') return false
  try {
    return Array.isArray(JSON.parse(value))
  } catch {
    return false
  }
}
