// How much does the audit log cost a mutation? Creates customers through the real request path
// (POST /api/customers on `next start`, session cookie from the real credentials sign-in) and
// compares three states of the same database, interleaved in one run of one server process:
//
//   off      audit inserts are swallowed by the database (a DO INSTEAD NOTHING rule),
//   on       audit inserts are written normally,
//   delayed  every audit insert takes 500 ms longer (a BEFORE INSERT trigger with pg_sleep).
//
// The app is not told which state it is in, so no benchmark switch exists in application code.
// Needs TEST_DATABASE_URL (PostgreSQL) and a production build:
//   npm run build && TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:audit
import { mkdir, writeFile } from 'node:fs/promises'
import bcrypt from 'bcryptjs'
import postgres from 'postgres'
import { expect, it } from 'vitest'
import { createThrowawayPostgres } from '../tests/support/postgres'
import { startServer } from '../tests/e2e/support/server'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const PER_ROUND = Number(process.env.BENCH_PER_ROUND ?? 40)
const MODES = ['off', 'on', 'delayed'] as const
type Mode = (typeof MODES)[number]

async function setMode(sql: postgres.Sql, mode: Mode) {
  await sql`drop rule if exists bench_audit_off on audit_log`
  await sql`drop trigger if exists bench_audit_slow on audit_log`
  if (mode === 'off') await sql`create rule bench_audit_off as on insert to audit_log do instead nothing`
  if (mode === 'delayed') await sql`create trigger bench_audit_slow before insert on audit_log for each row execute function bench_sleep_500ms()`
}

function cookieHeader(setCookies: string[], jar: Map<string, string>): string {
  for (const line of setCookies) {
    const [pair] = line.split(';')
    const at = pair!.indexOf('=')
    jar.set(pair!.slice(0, at), pair!.slice(at + 1))
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
const round1 = (n: number) => Math.round(n * 10) / 10

it.runIf(Boolean(process.env.TEST_DATABASE_URL))('audit log latency: off vs on vs insert delayed 500 ms', async () => {
  const database = await createThrowawayPostgres(process.env.TEST_DATABASE_URL!)
  const sql = postgres(database.url, { max: 1, onnotice: () => {} })
  const app = await startServer({ env: { DATABASE_URL: database.url, LOG_LEVEL: 'warn' } })
  try {
    await sql`create function bench_sleep_500ms() returns trigger language plpgsql as $$ begin perform pg_sleep(0.5); return new; end $$`
    const [user] = await sql`insert into users (name, email, password_hash) values ('Bench', 'bench@example.com', ${bcrypt.hashSync('bench password 123', 10)}) returning id`
    const [org] = await sql`insert into organizations (name) values ('Bench org') returning id`
    await sql`insert into memberships (org_id, user_id, role) values (${org!.id}, ${user!.id}, 'owner')`

    // Sign in the way a browser does: CSRF token, then the credentials callback.
    const jar = new Map<string, string>()
    const csrf = await fetch(`${app.url}/api/auth/csrf`)
    const { csrfToken } = (await csrf.json()) as { csrfToken: string }
    let cookie = cookieHeader(csrf.headers.getSetCookie(), jar)
    const signIn = await fetch(`${app.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ email: 'bench@example.com', password: 'bench password 123', csrfToken, callbackUrl: '/customers' }),
    })
    cookie = cookieHeader(signIn.headers.getSetCookie(), jar)
    expect(cookie).toContain('authjs.session-token')

    let n = 0
    const createOne = async () => {
      const started = performance.now()
      const response = await fetch(`${app.url}/api/customers`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ name: `Customer ${++n}`, email: `c${n}@example.com` }),
      })
      await response.arrayBuffer()
      if (response.status !== 201) throw new Error(`expected 201, got ${response.status}`)
      return performance.now() - started
    }
    const countAudit = async () => (await sql`select count(*)::int as n from audit_log`)[0]!.n as number
    // Let a mode's after() work finish (a delayed round queues ~10 s of inserts) before the
    // next mode starts, so no mode pays for another's backlog.
    const drain = async (expected: number) => {
      const deadline = Date.now() + 120_000
      while ((await countAudit()) < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200))
      await new Promise((resolve) => setTimeout(resolve, 300))
    }

    for (let i = 0; i < 30; i++) await createOne() // warm-up: JIT, connection pool, route compilation
    await drain(30)

    const samples: Record<Mode, number[]> = { off: [], on: [], delayed: [] }
    const auditRows: Record<Mode, number> = { off: 0, on: 0, delayed: 0 }
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        await setMode(sql, mode)
        const before = await countAudit()
        for (let i = 0; i < PER_ROUND; i++) samples[mode].push(await createOne())
        await drain(mode === 'off' ? before : before + PER_ROUND)
        auditRows[mode] += (await countAudit()) - before
      }
    }
    await setMode(sql, 'on')

    const summary = Object.fromEntries(
      MODES.map((mode) => {
        const sorted = [...samples[mode]].sort((a, b) => a - b)
        const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
        return [mode, { n: sorted.length, median_ms: round1(percentile(sorted, 50)), p95_ms: round1(percentile(sorted, 95)), mean_ms: round1(mean), audit_rows: auditRows[mode] }]
      }),
    ) as Record<Mode, { n: number; median_ms: number; p95_ms: number; mean_ms: number; audit_rows: number }>
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100
    const ratios = {
      on_vs_off_median: ratio(summary.on.median_ms, summary.off.median_ms),
      delayed_vs_off_median: ratio(summary.delayed.median_ms, summary.off.median_ms),
      on_vs_off_p95: ratio(summary.on.p95_ms, summary.off.p95_ms),
      delayed_vs_off_p95: ratio(summary.delayed.p95_ms, summary.off.p95_ms),
      on_vs_off_mean: ratio(summary.on.mean_ms, summary.off.mean_ms),
      delayed_vs_off_mean: ratio(summary.delayed.mean_ms, summary.off.mean_ms),
    }
    const result = { path: 'POST /api/customers on next start, PostgreSQL', rounds: ROUNDS, per_round: PER_ROUND, summary, ratios }
    console.log(JSON.stringify(result, null, 2))
    await mkdir('bench/results', { recursive: true })
    await writeFile('bench/results/audit-latency.json', `${JSON.stringify(result, null, 2)}\n`)

    // Sanity: the modes did what they say.
    expect(summary.off.audit_rows).toBe(0)
    expect(summary.on.audit_rows).toBe(ROUNDS * PER_ROUND)
    expect(summary.delayed.audit_rows).toBe(ROUNDS * PER_ROUND)
  } finally {
    await app.stop()
    await sql.end()
    await database.drop()
  }
})
