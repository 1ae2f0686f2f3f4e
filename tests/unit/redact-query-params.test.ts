import { describe, expect, it } from 'vitest'
import { redact } from '@/lib/privacy/redact'

describe('redaction of database errors', () => {
  it('keeps the SQL of a failed Drizzle query and drops its bound values, in the message and the stack', () => {
    const error = new Error(
      'Failed query: insert into "customers" ("name", "email") values ($1, $2)\nparams: Ada,ada@example.com\nsecond line',
    )
    error.stack = `Error: ${error.message}\n    at insert (file.ts:1:1)\n    at main (file.ts:2:2)`
    const out = redact(error) as { message: string; stack: string }
    expect(out.message).toBe(
      'Failed query: insert into "customers" ("name", "email") values ($1, $2)\nparams: [REDACTED]',
    )
    expect(out.stack).not.toContain('ada@example.com')
    expect(out.stack).toContain('at insert (file.ts:1:1)')
  })
})
