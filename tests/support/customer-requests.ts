// What the customers entry points receive: the form a server action is posted, and the request
// the JSON API (app/api/customers/route.ts) is sent.
export function form(fields: Record<string, string>): FormData {
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.set(name, value)
  return data
}

export function apiRequest(body: string, contentType = 'application/json') {
  return new Request('http://localhost/api/customers', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  })
}
