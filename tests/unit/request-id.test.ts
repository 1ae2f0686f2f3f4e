import { NextRequest } from 'next/server'
import { describe, expect, it } from 'vitest'
import { REQUEST_ID_HEADER, isValidRequestId, settleRequestId } from '@/lib/request/id'
import { proxy } from '@/proxy'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// Valid values are propagated unchanged.
const valid: [string, string][] = [
  ['UUID v4', '3f2504e0-4f89-41d3-9a0c-0305e82c3301'],
  ['UUID upper case', '3F2504E0-4F89-41D3-9A0C-0305E82C3301'],
  ['ULID', '01ARZ3NDEKTSV4RRFFQ69G5FAV'],
  ['W3C trace id', '4bf92f3577b34da6a3ce929d0e0e4736'],
  ['W3C traceparent-like', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
  ['x-vercel-id', 'fra1::iad1::6k2vq-1700000000000-0123456789ab'],
  ['single character', 'a'],
  ['digits', '1234567890'],
  ['dots and underscores', 'svc.checkout_v2.req_42'],
  ['colon separated', 'lb:eu-west-1:abc'],
  ['exactly 128 characters', 'a'.repeat(128)],
]

// Anything else is replaced by a fresh ID and never reflected.
const hostile: [string, string | string[] | null | undefined][] = [
  ['missing', undefined],
  ['null', null],
  ['empty', ''],
  ['129 characters', 'a'.repeat(129)],
  ['very long', 'x'.repeat(10_000)],
  ['space inside', 'abc def'],
  ['leading space', ' abc'],
  ['trailing newline', 'abc\n'],
  ['CRLF header injection', 'abc\r\nSet-Cookie: session=evil'],
  ['LF log forging', 'abc\n{"level":"error","msg":"forged"}'],
  ['double quote', 'abc"def'],
  ['single quote', "abc'def"],
  ['comma-joined values', 'abc,def'],
  ['comma and space joined', 'abc, def'],
  ['array of values', ['abc', 'def']],
  ['non-ASCII letter', 'abcé'],
  ['emoji', 'req-🔥'],
  ['NUL byte', 'abc\u0000def'],
  ['tab', 'abc\tdef'],
  ['slash', 'abc/def'],
  ['HTML', '<script>alert(1)</script>'],
  ['semicolon', 'abc;def'],
  ['equals sign', 'abc=def'],
  ['percent-encoded newline', 'abc%0d%0aSet-Cookie'],
]

describe('settleRequestId', () => {
  it.each(valid)('propagates a valid ID unchanged, as the client’s: %s', (_label, value) => {
    expect(isValidRequestId(value)).toBe(true)
    expect(settleRequestId(value)).toEqual({ requestId: value, source: 'client' })
  })

  it.each(hostile)('replaces %s with a fresh UUID', (_label, value) => {
    expect(isValidRequestId(value)).toBe(false)
    const { requestId: id, source } = settleRequestId(value)
    expect(source).toBe('server')
    expect(id).toMatch(UUID)
    if (typeof value === 'string' && value) expect(id).not.toContain(value)
  })

  it('generates a different ID each time', () => {
    expect(settleRequestId(undefined).requestId).not.toBe(settleRequestId(undefined).requestId)
  })
})

describe('proxy', () => {
  /** `value` as an incoming header carries it, or undefined when a header cannot carry it as written. */
  const asHeader = (value: unknown): string | undefined => {
    if (typeof value !== 'string' || value === '') return undefined
    try {
      return new Headers({ [REQUEST_ID_HEADER]: value }).get(REQUEST_ID_HEADER) === value ? value : undefined
    } catch {
      return undefined // a line break, a NUL, an emoji: no request can carry it
    }
  }
  const answer = async (value: string) => {
    const response = await proxy(
      new NextRequest('http://localhost:3000/status', { headers: { [REQUEST_ID_HEADER]: value } }),
    )
    return { id: response.headers.get(REQUEST_ID_HEADER), timing: response.headers.get('server-timing') }
  }

  it('answers each value a header can carry with the same ID, or a fresh one, in x-request-id and Server-Timing', async () => {
    for (const [label, value] of valid)
      expect(await answer(value), label).toEqual({ id: value, timing: `rid;desc="${value}"` })
    for (const [label, value] of hostile) {
      const header = asHeader(value)
      if (header === undefined) continue
      const { id, timing } = await answer(header)
      expect(id, label).toMatch(UUID)
      expect(id, label).not.toContain(header)
      expect(timing, label).toBe(`rid;desc="${id}"`)
    }
  })
})
