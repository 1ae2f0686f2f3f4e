// What scenario 5 (bad-input.test.ts) needs besides fast-check: posting a server action the way
// React does without a browser, reading an answer for what must never be in it, counting the
// rows a request may have added, and speaking raw HTTP where fetch refuses to lie.
import { readFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import fc from 'fast-check'
import type postgres from 'postgres'
import type { Context } from './bad-input-targets'

export type Answer = { status: number; headers: Record<string, string>; body: string }

/**
 * Per target: how many inputs it got and how each was answered: as it deserved (ok), with a
 * wrong but harmless answer (a 4xx other than the one deserved, a refusal without field
 * errors: failed cleanly), or badly (a 5xx, a leak, no answer at all).
 */
export class Target {
  inputs = 0
  ok = 0
  failedCleanly = 0
  failedBadly = 0
  readonly failures: string[] = []
  constructor(readonly name: string) {}

  record(input: unknown, verdict: { problem?: string; badly?: boolean }): void {
    this.inputs++
    if (!verdict.problem) this.ok++
    else if (verdict.badly) this.failedBadly++
    else this.failedCleanly++
    if (verdict.problem) this.failures.push(`${verdict.problem} ← ${JSON.stringify(input)?.slice(0, 300)}`)
  }
}

/**
 * The server's action IDs by exported name, from this build's manifest: the ID React puts in
 * the `Next-Action` header. Changes with every build, so it is read, never written down.
 */
export function actionIds(distDir = '.next'): Record<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(distDir, 'server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { exportedName: string }>
  }
  return Object.fromEntries(Object.entries(manifest.node).map(([id, entry]) => [entry.exportedName, id]))
}

/**
 * Posts an action bound by `useActionState` (`(previousState, formData)`) as React's client
 * does: multipart, the form's fields prefixed `_1_`, the arguments in field `0`. The answer is
 * the action's result in the RSC payload, or a 303 with `x-action-redirect` when it redirected.
 */
export async function postAction(
  baseUrl: string,
  page: string,
  actionId: string,
  fields: Record<string, string>,
  { cookie, headers = {}, signal }: { cookie?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Answer & { setCookies: string[] }> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.set(`_1_${name}`, value)
  // Last, as React sends it: the server resolves `$K1` when it reads field 0, from the fields before it.
  form.set('0', JSON.stringify([{}, '$K1']))
  const response = await fetch(`${baseUrl}${page}`, {
    method: 'POST',
    redirect: 'manual',
    body: form,
    headers: {
      'next-action': actionId,
      accept: 'text/x-component',
      origin: baseUrl,
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    signal,
  })
  return { ...(await read(response)), setCookies: response.headers.getSetCookie() }
}

export async function read(response: Response): Promise<Answer> {
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
}

const STACK_FRAME = /\n\s+at [^\n]*(\(|:\d+:\d+)/
/** Paths on this machine: where the app is built and run, and the packages it loads. */
const SERVER_PATHS = [process.cwd(), '/node_modules/', '.next/server']

/**
 * Why an answer leaks, or undefined: a stack frame, a path of the server's files, or one of
 * `secrets` (the session secret, the DSN's key, a token, a password the request sent) in the
 * body or any header.
 */
export function leakIn(answer: Pick<Answer, 'headers' | 'body'>, secrets: string[]): string | undefined {
  const text = `${JSON.stringify(answer.headers)}\n${answer.body}`
  if (STACK_FRAME.test(answer.body)) return 'stack trace in body'
  for (const serverPath of SERVER_PATHS) if (text.includes(serverPath)) return `server path ${serverPath} in answer`
  for (const secret of secrets) if (secret && text.includes(secret)) return `secret ${secret.slice(0, 4)}… in answer`
  return undefined
}

/** Two times in three undefined: the field keeps its valid value, so the others' garbage reaches the database. */
export const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })

/** A password worth looking for in an answer: long and varied enough not to appear by chance. */
export function findable(password: string): boolean {
  return password.trim().length >= 8 && new Set(password).size >= 5
}

const COUNTED = ['users', 'organizations', 'memberships', 'customers'] as const
export type RowCounts = Record<string, number>

/** Rows in the tables a request may add to, and audit rows by action (`audit:<action>`). */
export async function countRows(sql: postgres.Sql): Promise<RowCounts> {
  const counts: RowCounts = {}
  for (const table of COUNTED) {
    const [row] = await sql`select count(*)::int as n from ${sql(table)}`
    counts[table] = row!.n as number
  }
  for (const row of await sql`select action, count(*)::int as n from audit_log group by action`)
    counts[`audit:${row.action as string}`] = row.n as number
  return counts
}

/** What changed between two counts, zeros left out. */
export function rowChanges(before: RowCounts, after: RowCounts): RowCounts {
  const changes: RowCounts = {}
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[key] ?? 0) - (before[key] ?? 0)
    if (delta !== 0) changes[key] = delta
  }
  return changes
}

/** Audit rows are written after the response: wait until the counts stop moving. */
export async function settledRows(sql: postgres.Sql, quietMs = 600): Promise<RowCounts> {
  let last = await countRows(sql)
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, quietMs))
    const now = await countRows(sql)
    if (JSON.stringify(now) === JSON.stringify(last)) return now
    last = now
  }
  return last
}

/**
 * Sends `bytes` as they are over a bare socket; with `halfClose` it then ends its side, so a
 * Content-Length larger than the body meets the end of the stream instead of a wait (Node may
 * then drop the answer: the client said it was gone). Resolves with what came back (status
 * undefined when the server closed without answering) once the server closes, or after `timeoutMs`.
 */
export function rawExchange(
  port: number,
  bytes: Buffer,
  { halfClose = false, timeoutMs = 10_000 }: { halfClose?: boolean; timeoutMs?: number } = {},
): Promise<Answer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const finish = () => {
      clearTimeout(timer)
      socket.destroy()
      const text = Buffer.concat(chunks).toString('latin1')
      const [head = '', ...rest] = text.split('\r\n\r\n')
      const [statusLine = '', ...lines] = head.split('\r\n')
      const match = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)
      if (!match) return resolve(undefined)
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(':')).trim().toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
      )
      resolve({ status: Number(match[1]), headers, body: rest.join('\r\n\r\n') })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', finish)
    socket.on('close', finish)
    socket.on('connect', () => (halfClose ? socket.end(bytes) : socket.write(bytes)))
  })
}

export type Outcome = {
  /** Undefined when the server closed the connection without answering. */
  answer?: Answer
  /** Why the answer is not the one the input deserved; undefined when it is. */
  problem?: string
  adds?: Record<string, number>
  /** What this request sent that must not come back (a password). */
  secrets?: string[]
}

export type TargetSpec<T> = {
  name: string
  /** numRuns: full, RELIABILITY_SHORT=1. */
  runs: [number, number]
  arbitrary: fc.Arbitrary<T>
  send: (context: Context, input: T) => Promise<Outcome>
  /** Rows a refused input may still write by design (a failed sign-in is audited and counted). */
  mayAlsoWrite?: string[]
  /** Inputs that once broke something: sent on every run, before the generated ones. */
  examples?: T[]
}

/** How an outcome is judged: a 5xx, a leak or no answer is bad whatever the target expected. */
export function verdictOf(outcome: Outcome, secrets: string[]): { problem?: string; badly?: boolean } {
  const { answer } = outcome
  if (!answer) return outcome.problem ? { problem: outcome.problem, badly: true } : {}
  if (answer.status >= 500) return { problem: `${answer.status}`, badly: true }
  const leak = leakIn(answer, [...secrets, ...(outcome.secrets ?? [])])
  if (leak) return { problem: leak, badly: true }
  return outcome.problem ? { problem: outcome.problem } : {}
}

// Text a person (or a script) might type, and text nobody should: controls, NUL, lone
// surrogates, right-to-left marks, very long runs.
/** encodeURIComponent throws on a lone surrogate; a URL cannot carry one anyway. */
export const encode = (text: string) => encodeURIComponent(text.replace(/\p{Cs}/gu, '\uFFFD'))

export const anyText = (maxLength = 80) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    // A control character (NUL, which PostgreSQL text cannot hold, among them) inside ordinary text.
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.string({ maxLength: 20 }),
          fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\ufffe', '\ud800'),
        )
        .map(([text, control]) => `${text}${control}${text}`),
    },
    fc.constantFrom(
      '',
      ' ',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\u202e',
      'x'.repeat(5000),
      '<script>',
      "'; drop table users;--",
    ),
  )
export const emailLike = fc.oneof(
  fc.emailAddress(),
  anyText(),
  fc.emailAddress().map((e) => `${e}\u0000`),
)
export const passwordLike = fc.oneof(anyText(90), fc.string({ minLength: 10, maxLength: 40 }))
export const callbackLike = fc.oneof(fc.webPath(), fc.webUrl(), anyText(), fc.constantFrom('//evil.example', '/\\evil'))

export const isRedirect = (answer: Answer) => answer.status === 303 || 'x-action-redirect' in answer.headers
export const fieldErrorsIn = (answer: Answer) => /"fieldErrors":\{"\w+":\["/.test(answer.body)

/** A server action's answer: a 200 carrying the action's result, or a redirect. */
export function actionProblem(answer: Answer, refusal: RegExp): string | undefined {
  if (isRedirect(answer)) return undefined
  if (answer.status !== 200) return `status ${answer.status}`
  return refusal.test(answer.body) ? undefined : 'neither a redirect nor a refusal a person can act on'
}
