// Which server-action posts the proxy refuses because Next could not read their body
// (lib/security/action-body.ts): Next answers each with a 500. What React's own client sends is
// made here by React's own encoder (the one Next's client uses), so the test cannot drift into
// refusing real actions. Found by the bad-input fuzzing (tests/reliability/bad-input.test.ts).
import { describe, expect, it } from 'vitest'
import { ACTION_BODY_LIMIT_BYTES, unreadableActionBody } from '@/lib/security'

// The compiled copy Next ships and its client uses; the package itself is not installed.
const { encodeReply } = (await import(
  // @ts-expect-error -- Next's compiled React has no type declarations
  'next/dist/compiled/react-server-dom-webpack/client.edge.js'
)) as { encodeReply: (args: unknown[]) => Promise<string | FormData> }

const ACTION_ID = '7fab720fa16d84e2cb7694a4a41e9318bfa83fe0b9'

function post(body: BodyInit | null, headers: Record<string, string> = {}, path = '/sign-up') {
  const request = new Request(`http://app.example${path}`, { method: 'POST', body, headers })
  return unreadableActionBody(request, path)
}
const action = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  post(body, { 'next-action': ACTION_ID, ...headers })

function form(fields: Record<string, string>): FormData {
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.set(name, value)
  return data
}

describe('unreadableActionBody', () => {
  it('reads what React sends: a form as the argument (multipart), plain values (text)', async () => {
    const asForm = await encodeReply([{}, form({ email: 'ada@example.com', password: 'correct horse' })])
    expect(asForm).toBeInstanceOf(FormData)
    expect(await action(asForm)).toBeUndefined()

    const asText = await encodeReply([{ error: 'x' }, 1, '$not a reference', null])
    expect(typeof asText).toBe('string')
    expect(await action(asText as string, { 'content-type': 'text/plain;charset=UTF-8' })).toBeUndefined()
  })

  it('reads a form posted without JavaScript (multipart, no Next-Action header)', async () => {
    expect(await post(form({ $ACTION_ID_abc: '', email: 'ada@example.com' }))).toBeUndefined()
  })

  it.each([
    ['a multipart type over a body that is not multipart', 'hello', 'multipart/form-data; boundary=x'],
    ['a multipart type without a boundary', '--x\r\n', 'multipart/form-data'],
    ['a text body that is not JSON', 'zzz{', 'text/plain;charset=UTF-8'],
    ['JSON that is not an argument list', '"x"', 'text/plain;charset=UTF-8'],
    ['an empty body', '', 'text/plain;charset=UTF-8'],
  ])('refuses %s with 400', async (_, body, contentType) => {
    expect(await action(body, { 'content-type': contentType })).toEqual({
      status: 400,
      message: 'Malformed server action request',
    })
  })

  it('refuses a body with no content type that is not an argument list', async () => {
    const request = new Request('http://app.example/sign-up', {
      method: 'POST',
      body: new Uint8Array([0x7a, 0x7a]), // bytes: fetch adds no content type for them
      headers: { 'next-action': ACTION_ID },
    })
    expect(request.headers.get('content-type')).toBeNull()
    expect((await unreadableActionBody(request, '/sign-up'))?.status).toBe(400)
  })

  it('refuses multipart whose argument list (field 0) is missing or not a list', async () => {
    expect((await action(form({ email: 'ada@example.com' })))?.status).toBe(400)
    expect((await action(form({ 0: '{"a":1}' })))?.status).toBe(400)
  })

  it('refuses multipart without the header that does not parse, as Next would fail reading it', async () => {
    expect((await post('hello', { 'content-type': 'multipart/form-data; boundary=x' }))?.status).toBe(400)
  })

  it('refuses a fetch action over the size limit with 413, by its declared length or its bytes', async () => {
    const large = JSON.stringify(['x'.repeat(ACTION_BODY_LIMIT_BYTES)])
    expect((await action(large, { 'content-type': 'text/plain' }))?.status).toBe(413)
    const withinLimit = JSON.stringify(['x'.repeat(ACTION_BODY_LIMIT_BYTES - 10)])
    expect(await action(withinLimit, { 'content-type': 'text/plain' })).toBeUndefined()
    // Declared too large: refused without reading the body (this one is too short to be refused by its bytes).
    const declared = { 'content-type': 'text/plain', 'content-length': String(ACTION_BODY_LIMIT_BYTES + 1) }
    expect((await action('[]', declared))?.status).toBe(413)
  })

  it('leaves a large multipart post without the header to its handler (an upload to a route)', async () => {
    const upload = new FormData()
    upload.set('file', new Blob([new Uint8Array(ACTION_BODY_LIMIT_BYTES + 1)]), 'big.bin')
    expect(await post(upload)).toBeUndefined()
  })

  it('leaves alone what is no action: API routes, other methods, plain posts, URL-encoded actions', async () => {
    expect(await post('hello', { 'next-action': ACTION_ID }, '/api/customers')).toBeUndefined()
    expect(await post('{"name":', { 'content-type': 'application/json' })).toBeUndefined()
    expect(await post('a=%zz', { 'content-type': 'application/x-www-form-urlencoded' })).toBeUndefined()
    expect(await action('a=b', { 'content-type': 'application/x-www-form-urlencoded' })).toBeUndefined()
    const put = new Request('http://app.example/sign-up', {
      method: 'PUT',
      body: 'zzz',
      headers: { 'next-action': ACTION_ID },
    })
    expect(await unreadableActionBody(put, '/sign-up')).toBeUndefined()
  })
})
