// `npm run bench`: what observability costs, side by side with a bare Next.js app of the same
// version (bench/baseline) and a peer, the app create-t3-app generates (bench/peer.mjs), in one
// run on this machine. See docs/performance.md.
//   npm run bench                 the full run (a few minutes on 2 cores), writes bench/results/latest.md
//   npm run bench -- --smoke      seconds of load per part, reuses .next: proves the harness works (CI);
//                                 without the peer, whose cold generation, install and build alone
//                                 take longer than the rest of the smoke (add --peer to include it)
//   npm run bench -- --no-peer    the full run without the peer
//   npm run bench -- --rounds 7   more interleaved load rounds than the default 3 (a noisy machine)
// Needs PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
// for the server-action part, and Chromium (CHROMIUM_PATH, else /usr/bin/chromium).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import postgres from 'postgres'
import { createThrowawayPostgres } from '../tests/support/postgres.mjs'
import { recordSaveCustomerRequest, replay } from './actions.mjs'
import { firstLoadJs, lighthouseScore } from './client-cost.mjs'
import { PEER_ROUTES, peerEnv, preparePeer, pushPeerSchema } from './peer.mjs'
import {
  ROOT,
  buildVariant,
  emptyProxyWithOurMatcher,
  interleaved,
  log,
  machineDescription,
  markdownTable,
  median,
  percentile,
  ratio,
  rewrite,
  roundsFromArgs,
  rssMiB,
  startApp,
  startSink,
} from './harness.mjs'

const smoke = process.argv.includes('--smoke')
const withPeer = smoke ? process.argv.includes('--peer') : !process.argv.includes('--no-peer')
const settings = smoke
  ? { rounds: 1, duration: 1, warmup: 1, connections: 10, actionRounds: 1, actionsPerRound: 3, actionWarmup: 2 }
  : { rounds: 3, duration: 5, warmup: 2, connections: 10, actionRounds: 5, actionsPerRound: 40, actionWarmup: 15 }
// Each extra round adds 5 s per arm per route.
settings.rounds = roundsFromArgs(process.argv, settings.rounds)
const startedAt = Date.now()
const cleanups = []
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–')

async function main() {
  const serverUrl =
    process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
  try {
    const probe = postgres(serverUrl, { max: 1, connect_timeout: 5, onnotice: () => {} })
    await probe`select 1`
    await probe.end()
  } catch (error) {
    throw new Error(`npm run bench needs PostgreSQL at ${serverUrl} (set BENCH_DATABASE_URL): ${error.message}`)
  }
  const database = async () => {
    const db = await createThrowawayPostgres(serverUrl, { prefix: 'signalbox_bench' })
    cleanups.push(db.drop)
    return db.url
  }

  // --- Builds: the template as it is, the template with audit and analytics compiled out, the baseline.
  const template = smoke && existsSync(path.join(ROOT, '.next', 'BUILD_ID')) ? ROOT : buildVariant('template')
  const quiet = buildVariant(
    'template-no-audit-analytics',
    (dir) => {
      rewrite(
        dir,
        'lib/audit/index.ts',
        /(export async function logAuditEvent\([^)]*\): Promise<void> \{)/,
        '$1\n  if (Date.now() > 0) return // bench: audit off\n',
      )
      rewrite(
        dir,
        'lib/analytics/server.ts',
        /(export async function track<E extends EventName>\([^)]*\): Promise<void> \{)/s,
        '$1\n  if (Date.now() > 0) return // bench: analytics off\n',
      )
    },
    { build: !smoke },
  )
  const baseline = buildVariant('baseline', () => {}, { sourceDir: path.join(ROOT, 'bench', 'baseline') })
  // The fair limit: the bare app plus a proxy that does nothing, on our proxy's matcher. Next's
  // own pass to run any proxy is most of what the template costs over bare (docs/performance.md),
  // and the template's design needs a proxy; this arm says what is left that is ours.
  const baselineProxy = buildVariant(
    'baseline-empty-proxy',
    (dir) => writeFileSync(path.join(dir, 'proxy.ts'), emptyProxyWithOurMatcher()),
    { sourceDir: path.join(ROOT, 'bench', 'baseline') },
  )
  // A peer from outside: what a developer gets from another starter with the same stack (App
  // Router, Auth.js, Drizzle, PostgreSQL). Prepared (or reused) before any server starts, so its
  // build never overlaps a measurement.
  const peer = withPeer ? preparePeer() : undefined

  // --- Servers, each with its own database. Analytics is on (a key, a local PostHog stand-in);
  // flags come from FEATURE_FLAGS so no flag lookup sits in the measured path.
  const sink = await startSink()
  cleanups.push(sink.close)
  const appEnv = {
    LOG_LEVEL: 'info',
    NEXT_PUBLIC_POSTHOG_KEY: 'phc_bench',
    POSTHOG_HOST: sink.url,
    FEATURE_FLAGS: 'customer_history=true',
  }
  const start = async (name, dir, env, options) => {
    const app = await startApp(dir, env, options)
    cleanups.push(app.stop)
    return { name, databaseUrl: env.DATABASE_URL, ...app }
  }
  const T = await start('template', template, { ...appEnv, DATABASE_URL: await database() })
  const TT = await start('template + tracing', template, {
    ...appEnv,
    DATABASE_URL: await database(),
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
  })
  const Q = smoke
    ? undefined
    : await start('template, audit + analytics off', quiet, { ...appEnv, DATABASE_URL: await database() })
  const B = await start('baseline', baseline, {}, { readyPath: '/api/health' })
  const BP = await start('baseline + empty proxy', baselineProxy, {}, { readyPath: '/api/health' })
  let P
  if (peer) {
    const peerDatabase = await createThrowawayPostgres(serverUrl, { migrated: false, prefix: 'signalbox_bench_peer' })
    cleanups.push(peerDatabase.drop)
    pushPeerSchema(peer.dir, peerDatabase.url)
    P = await start('peer (create-t3-app)', peer.dir, peerEnv(peerDatabase.url), { readyPath: PEER_ROUTES.json })
  }
  const sections = []
  // Memory before any load: every server started and answered its readiness probe, nothing
  // else. After a load, RSS is the heap's high-water mark and moves by a fifth from run to run
  // (docs/performance.md); idle, it is what the app loads.
  const idleRss = new Map([T, TT, B, BP, ...(P ? [P] : [])].map((app) => [app, rssMiB(app.pid)]))

  // --- Throughput: the same three kinds of route, interleaved rounds.
  const routes = [
    {
      kind: 'static page',
      targets: [
        [T, '/'],
        [B, '/'],
        [BP, '/'],
        // The peer has no static page: its landing page calls auth() and a tRPC procedure.
        ...(P ? [[P, PEER_ROUTES.landing, '`/` (its landing page, dynamic)']] : []),
      ],
    },
    {
      kind: 'dynamic page (reads request headers)',
      targets: [
        [T, '/status'],
        [TT, '/status'],
        [B, '/dynamic'],
        [BP, '/dynamic'],
        ...(P ? [[P, PEER_ROUTES.dynamic, '`/` (its landing page: auth() and a tRPC call)']] : []),
      ],
    },
    {
      kind: 'JSON route handler',
      targets: [
        [T, '/api/health'],
        [TT, '/api/health'],
        [B, '/api/health'],
        [BP, '/api/health'],
        ...(P ? [[P, PEER_ROUTES.json, '`/api/trpc/post.hello` (its tRPC query, GET)']] : []),
      ],
    },
  ]
  const throughputRows = []
  for (const { kind, targets } of routes) {
    log(`load: ${kind}`)
    const results = await interleaved(
      targets.map(([app, p]) => ({ name: app.name, url: app.url, path: p, pid: app.pid })),
      settings,
    )
    const bare = results[B.name]
    const withProxy = results[BP.name]
    const peerRuns = P ? results[P.name] : undefined
    for (const [app, p, label] of targets) {
      const runs = results[app.name]
      const perRound = runs.map((r, i) => ratio(r.rps, bare[i].rps))
      const perRoundProxy = runs.map((r, i) => ratio(r.rps, withProxy[i].rps))
      const perRoundPeer = peerRuns ? runs.map((r, i) => ratio(r.rps, peerRuns[i].rps)) : []
      // The same comparison in CPU per request, inverted so it reads like the req/s ratio (0.9:
      // this app spends 1/0.9 of the empty-proxy arm's CPU on a request).
      const perRoundProxyCpu = runs.map((r, i) => ratio(withProxy[i].cpuPerRequest, r.cpuPerRequest))
      throughputRows.push([
        kind,
        `${app.name} ${label ?? `\`${p}\``}`,
        runs.map((r) => fmt(r.rps)).join(' / '),
        fmt(median(runs.map((r) => r.rps))),
        fmt(median(runs.map((r) => r.p50)), 1),
        fmt(median(runs.map((r) => r.p99)), 1),
        app === B ? '1' : `${perRound.map((x) => fmt(x, 2)).join(' / ')} → **${fmt(median(perRound), 3)}**`,
        app === B || app === BP
          ? ''
          : `${perRoundProxy.map((x) => fmt(x, 2)).join(' / ')} → **${fmt(median(perRoundProxy), 3)}**`,
        ...(P
          ? [
              app === P
                ? '1'
                : `${perRoundPeer.map((x) => fmt(x, 2)).join(' / ')} → **${fmt(median(perRoundPeer), 3)}**`,
            ]
          : []),
        fmt(median(runs.map((r) => r.cpuPerRequest))),
        app === B || app === BP
          ? ''
          : `${perRoundProxyCpu.map((x) => fmt(x, 2)).join(' / ')} → **${fmt(median(perRoundProxyCpu), 3)}**`,
      ])
    }
  }
  sections.push(
    `### Throughput (${settings.rounds} interleaved rounds of ${settings.duration} s, ${settings.connections} connections, autocannon)\n\n` +
      markdownTable(
        [
          'route',
          'app',
          'req/s per round',
          'median req/s',
          'p50 ms',
          'p99 ms',
          'ratio to baseline per round → median',
          'ratio to baseline + empty proxy',
          ...(P ? ['ratio to peer (create-t3-app)'] : []),
          'server CPU µs per request',
          'CPU: baseline + empty proxy µs / this app µs',
        ],
        throughputRows,
      ),
  )

  // --- Memory after the load.
  const loadedRss = new Map([...idleRss.keys()].map((app) => [app, rssMiB(app.pid)]))
  const memoryRows = [...idleRss.keys()].map((app) => [
    app.name,
    fmt(idleRss.get(app)),
    fmt(ratio(idleRss.get(app), idleRss.get(B)), 2),
    fmt(loadedRss.get(app)),
    fmt(ratio(loadedRss.get(app), loadedRss.get(B)), 2),
  ])

  // --- Server-action latency: creating a customer in the drawer, replayed.
  log('server actions')
  // Three servers, so the modes can alternate request by request: on (T), off (Q), and on with
  // every audit insert slowed by 500 ms (TD: a trigger on its own database). A slow audit table
  // builds a backlog of after() work in TD; the action answering at the same speed regardless
  // is the point.
  const TD = await start('template, audit insert +500 ms', template, { ...appEnv, DATABASE_URL: await database() })
  const slow = postgres(TD.databaseUrl, { max: 1, onnotice: () => {} })
  cleanups.push(() => slow.end())
  await slow`create function bench_sleep_500ms() returns trigger language plpgsql as $$ begin perform pg_sleep(0.5); return new; end $$`
  await slow`create trigger bench_audit_slow before insert on audit_log for each row execute function bench_sleep_500ms()`
  const modes = [
    { name: 'audit + analytics on', app: T },
    ...(Q ? [{ name: 'audit + analytics off', app: Q }] : []),
    { name: 'on, audit insert +500 ms', app: TD },
  ]
  for (const mode of modes)
    mode.request = await recordSaveCustomerRequest(mode.app.url, `bench-${new URL(mode.app.url).port}@example.com`)
  for (let i = 0; i < settings.actionWarmup; i++) for (const mode of modes) await replay(mode.request)
  const samples = Object.fromEntries(modes.map((m) => [m.name, []]))
  const total = settings.actionRounds * settings.actionsPerRound
  for (let i = 0; i < total; i++) {
    // A fresh random order each time, so no mode always follows another.
    const order = [...modes].sort(() => Math.random() - 0.5)
    for (const mode of order) samples[mode.name].push(await replay(mode.request))
  }
  // Every replay of the audited servers must leave its row (TD's after its backlog drains).
  const expected = 1 + settings.actionWarmup + total
  const auditRowsOf = async (app) => {
    const sql = postgres(app.databaseUrl, { max: 1, onnotice: () => {} })
    try {
      const deadline = Date.now() + 180_000
      let n = 0
      while (
        (n = (await sql`select count(*)::int as n from audit_log where action = 'customer.created'`)[0].n) < expected &&
        Date.now() < deadline
      ) {
        await new Promise((r) => setTimeout(r, 500))
      }
      return n
    } finally {
      await sql.end()
    }
  }
  const rows = { on: await auditRowsOf(T), delayed: await auditRowsOf(TD) }
  const off = samples['audit + analytics off']
  const onMedian = median(samples['audit + analytics on'])
  const actionRows = modes.map(({ name }) => {
    const values = samples[name]
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    return [
      name,
      values.length,
      fmt(median(values), 1),
      fmt(percentile(values, 95), 1),
      fmt(mean, 1),
      fmt(ratio(median(values), off ? median(off) : NaN), 3),
      fmt(ratio(median(values), onMedian), 3),
    ]
  })
  sections.push(
    `### Server action: create a customer (saveCustomerAction, replayed; ${total} per mode, modes alternating request by request)\n\n` +
      markdownTable(['mode', 'n', 'median ms', 'p95 ms', 'mean ms', 'median vs off', 'median vs on'], actionRows) +
      `\n\nAudit rows written (customer.created): ${rows.on} of ${expected} with audit on, ${rows.delayed} of ${expected} with the slowed insert; ` +
      `the PostHog stand-in received ${[...sink.received].filter(([k]) => k.includes('/batch')).reduce((a, [, n]) => a + n, 0)} batch requests.`,
  )

  // --- Client cost.
  log('client cost')
  const cookie = modes[0].request.headers.cookie
  const jsRows = []
  const baselineJs = await firstLoadJs(B.url, '/')
  for (const [app, p, headers] of [
    [T, '/'],
    [T, '/sign-in'],
    [T, '/customers', { cookie }],
    [T, '/status'],
    [B, '/'],
    [B, '/dynamic'],
    ...(P ? [[P, PEER_ROUTES.landing]] : []),
  ]) {
    const js = await firstLoadJs(app.url, p, headers)
    jsRows.push([
      `${app.name} \`${p}\``,
      js.files,
      fmt(js.gzipKiB, 1),
      app === B ? '' : `${js.gzipKiB - baselineJs.gzipKiB >= 0 ? '+' : ''}${fmt(js.gzipKiB - baselineJs.gzipKiB, 1)}`,
    ])
  }
  sections.push(
    `### First-load JavaScript (gzipped; what the HTML loads before it is interactive)\n\n` +
      markdownTable(['page', 'scripts', 'KiB gzip', 'vs baseline `/`'], jsRows),
  )

  const lighthouseTargets = smoke
    ? [[T, '/']]
    : [[T, '/'], [T, '/sign-in'], [B, '/'], ...(P ? [[P, PEER_ROUTES.landing]] : [])]
  // Lighthouse's score moves by several points from one run to the next on the same page, so each
  // page is scored three times, the pages taking turns (a noisy moment lands on every page), and
  // the median is reported.
  const lighthouseRuns = smoke ? 1 : 3
  const lighthouseResults = lighthouseTargets.map(() => [])
  for (let run = 0; run < lighthouseRuns; run++) {
    for (const [i, [app, p]] of lighthouseTargets.entries()) {
      log(`lighthouse ${app.name} ${p}, run ${run + 1} of ${lighthouseRuns}`)
      lighthouseResults[i].push(await lighthouseScore(`${app.url}${p}`))
    }
  }
  const lighthouseRows = lighthouseTargets.map(([app, p], i) => {
    const results = lighthouseResults[i]
    const scores = results.map((r) => r.score)
    return [
      `${app.name} \`${p}\``,
      scores.join(' / '),
      `**${median(scores)}**`,
      fmt(median(results.map((r) => r.tbtMs))),
      fmt(median(results.map((r) => r.lcpMs))),
    ]
  })
  sections.push(
    `### Lighthouse (performance, default mobile profile, system Chromium; ${lighthouseRuns} run${lighthouseRuns === 1 ? '' : 's'} per page, taking turns)\n\n` +
      markdownTable(
        ['page', 'score per run', 'median score', 'median total blocking time ms', 'median LCP ms'],
        lighthouseRows,
      ),
  )

  sections.push(
    `### Memory (RSS of the server process tree): idle before the load, and after it\n\n` +
      markdownTable(['app', 'idle MiB', 'idle vs baseline', 'after the load MiB', 'after vs baseline'], memoryRows),
  )

  if (peer)
    sections.push(
      `### The peer\n\n` +
        `\`create-t3-app@${peer.createT3App} peer --CI --appRouter --nextAuth --drizzle --dbProvider postgres --trpc --tailwind --noGit --noInstall\` ` +
        `from the npm registry, then \`npm install\` and \`next build\` (${peer.reused ? 'reused from an earlier run' : `${peer.preparedInSeconds} s`}); ` +
        `it runs Next ${peer.nextVersion} and next-auth ${peer.nextAuthVersion}, its schema pushed with its own drizzle-kit to a throwaway database. ` +
        `Changed from what the CLI wrote, only so it builds here with our Next:\n\n` +
        (peer.changes.length ? peer.changes.map((c) => `- ${c}`).join('\n') : '- nothing'),
    )

  const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1)
  const report = [
    `## Signalbox vs a bare Next.js app${peer ? ' and create-t3-app' : ''}${smoke ? ' (smoke run: numbers are not meaningful)' : ''}`,
    '',
    `${new Date().toISOString()} · ${machineDescription()} · finished in ${minutes} min`,
    '',
    sections.join('\n\n'),
    '',
  ].join('\n')
  console.log(`\n${report}`)
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true })
  const file = path.join(ROOT, 'bench', 'results', smoke ? 'smoke.md' : 'latest.md')
  writeFileSync(file, report)
  log(`written to ${path.relative(ROOT, file)}`)
}

try {
  await main()
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => log(`cleanup: ${error.message}`))
}
