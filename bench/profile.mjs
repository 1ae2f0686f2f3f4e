// `npm run bench:profile`: where a request's CPU time goes, from V8 CPU profiles of the servers
// under load. Each app runs under `node --cpu-prof`; autocannon loads one route at a time, and
// only the samples taken while it did are counted (V8's profile clock is the monotonic clock
// `process.hrtime` reads, so the window is exact). Frames are mapped through the build's source
// maps and grouped by layer (bench/cpu-profile.mjs): the table says how many microseconds of
// CPU each layer costs a request, for the template, its integrations turned on, and the bare
// baseline app, and which functions the template's extra time over the bare app with an empty
// proxy is spent in.   npm run bench:profile [-- --smoke]   writes bench/results/profile.md
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { LAYERS, OTHER, layerTimes, readProfile } from './cpu-profile.mjs'
import { measureOurWork } from './our-work.mjs'
import {
  ROOT,
  buildVariant,
  disableProxy,
  emptyProxyWithOurMatcher,
  load,
  log,
  machineDescription,
  markdownTable,
  median,
  startApp,
  startSink,
} from './harness.mjs'

const smoke = process.argv.includes('--smoke')
const settings = smoke ? { warmup: 1, duration: 1, rounds: 1 } : { warmup: 3, duration: 4, rounds: 3 }
const connections = 10
const SAMPLING_INTERVAL_US = 250
const startedAt = Date.now()

// --smoke reuses the working tree's build when there is one (CI has just made it).
const template = smoke && existsSync(path.join(ROOT, '.next', 'BUILD_ID')) ? ROOT : buildVariant('profile-template')
// The same template with a proxy that matches nothing: what Next itself does differently for a
// proxy. (Not in the smoke run: one build fewer, and bench:layers uses the same variant.)
const noProxy = smoke ? undefined : buildVariant('profile-no-proxy', disableProxy)
const baselineDir = path.join(ROOT, 'bench', 'baseline')
const baseline = buildVariant('profile-baseline', () => {}, { sourceDir: baselineDir })
// The bare app with a proxy that only returns NextResponse.next() on our matcher: how much of
// the template's proxy pass is Next's price for any proxy, and how much is what ours asks of it
// (a rewritten request, response headers). Not in the smoke run, for the same reason.
const baselineProxy = smoke
  ? undefined
  : buildVariant(
      'profile-baseline-empty-proxy',
      (dir) => writeFileSync(path.join(dir, 'proxy.ts'), emptyProxyWithOurMatcher()),
      { sourceDir: baselineDir },
    )

// Takes what the OTLP and Sentry exporters send.
const sink = await startSink()
const sentryDsn = `http://public@127.0.0.1:${sink.port}/1`

const scratch = mkdtempSync(path.join(tmpdir(), 'signalbox-profile-'))
const templateRoutes = { json: '/api/health', page: '/status', static: '/' }
const apps = [
  { name: 'template', dir: template, env: {}, routes: templateRoutes },
  { name: 'template + tracing', dir: template, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, routes: templateRoutes },
  { name: 'template + Sentry DSN', dir: template, env: { NEXT_PUBLIC_SENTRY_DSN: sentryDsn }, routes: templateRoutes },
  {
    name: 'template + Sentry DSN, errors only',
    dir: template,
    env: { NEXT_PUBLIC_SENTRY_DSN: sentryDsn, SENTRY_TRACES_SAMPLE_RATE: '0' },
    routes: templateRoutes,
  },
  ...(noProxy ? [{ name: 'template, no proxy', dir: noProxy, env: {}, routes: templateRoutes }] : []),
  {
    name: 'baseline',
    dir: baseline,
    env: {},
    routes: { json: '/api/health', page: '/dynamic', static: '/' },
    readyPath: '/api/health',
  },
  ...(baselineProxy
    ? [
        {
          name: 'baseline + empty proxy',
          dir: baselineProxy,
          env: {},
          routes: { json: '/api/health', page: '/dynamic', static: '/' },
          readyPath: '/api/health',
        },
      ]
    : []),
]
const ROUTES = {
  json: 'JSON route handler',
  page: 'dynamic page (reads request headers)',
  static: 'static page (prerendered)',
}

// All servers run at once; each route is loaded in interleaved rounds (the order alternates), as
// in npm run bench, so a noisy moment of the machine is shared out instead of landing on one app.
const servers = []
const results = {}
try {
  for (const app of apps) {
    const profileDir = path.join(scratch, app.name.replace(/\W+/g, '-'))
    mkdirSync(profileDir)
    const server = await startApp(
      app.dir,
      { DATABASE_URL: `pglite:${path.join(profileDir, 'db')}`, LOG_LEVEL: 'info', ...app.env },
      {
        readyPath: app.readyPath,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${SAMPLING_INTERVAL_US}`],
      },
    )
    servers.push({
      app,
      server,
      profileDir,
      windows: Object.fromEntries(Object.keys(ROUTES).map((kind) => [kind, []])),
    })
  }
  for (const kind of Object.keys(ROUTES)) {
    for (const { app, server } of servers)
      await load(`${server.url}${app.routes[kind]}`, { duration: settings.warmup, connections })
    for (let round = 0; round < settings.rounds; round++) {
      log(`profile ${ROUTES[kind]}, round ${round + 1} of ${settings.rounds}`)
      for (const { app, server, windows } of round % 2 === 0 ? servers : [...servers].reverse()) {
        const from = Number(process.hrtime.bigint() / 1000n)
        const run = await load(`${server.url}${app.routes[kind]}`, { duration: settings.duration, connections })
        const to = Number(process.hrtime.bigint() / 1000n)
        if (run.failed > 0)
          throw new Error(`${app.name} ${app.routes[kind]}: ${run.failed} failed responses under load`)
        windows[kind].push({ from, to, requests: run.total })
      }
    }
  }
  for (const { app, server, profileDir, windows } of servers) {
    await server.stop() // V8 writes the profile as the process exits
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the server process's main thread (0), where
    // requests are handled; worker threads write their own files.
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${server.pid}.0.`))
    if (!file) throw new Error(`${app.name}: no main-thread CPU profile written in ${profileDir}`)
    const profile = readProfile(path.join(profileDir, file))
    results[app.name] = Object.fromEntries(
      Object.entries(windows).map(([kind, list]) => {
        const seconds = list.reduce((sum, w) => sum + (w.to - w.from) / 1e6, 0)
        const requests = list.reduce((sum, w) => sum + w.requests, 0)
        return [kind, { requests, rps: requests / seconds, ...layerTimes(profile, { windows: list, root: app.dir }) }]
      }),
    )
  }
} finally {
  for (const { server } of servers) await server.stop()
  await sink.close()
  rmSync(scratch, { recursive: true, force: true })
}

// The harness checks itself on the real builds: each layer shows up where it must and nowhere it
// cannot (the bare baseline has no pino, no SDKs, no proxy of ours), so a change in how Next or
// Turbopack names its sources cannot quietly turn the table into one big "Next.js" row.
const layerNamed = (prefix) => LAYERS.find((layer) => layer.name.startsWith(prefix)).name
const mustShow = [
  ['template', layerNamed('logging')],
  ['template', layerNamed('proxy pass')],
  ['template + tracing', layerNamed('tracing')],
  ['template + Sentry DSN', layerNamed('Sentry')],
]
// A smoke run samples a second per route: on a busy machine a cheap layer can miss every sample
// of one route, so there it must show on at least one route; a full run, on every route.
for (const [appName, layer] of mustShow) {
  const shown = Object.entries(results[appName]).map(([kind, r]) => [
    kind,
    r.requests > 0 && (r.micros.get(layer) ?? 0) > 0,
  ])
  const missing = shown.filter(([, ok]) => !ok).map(([kind]) => ROUTES[kind])
  if (smoke ? missing.length === shown.length : missing.length > 0)
    throw new Error(`profile: no "${layer}" time in ${appName}, ${missing.join(', ')}`)
}
for (const layer of [layerNamed('logging'), layerNamed('tracing'), layerNamed('Sentry'), layerNamed('our proxy')]) {
  for (const [kind, r] of Object.entries(results.baseline)) {
    if (r.micros.has(layer))
      throw new Error(
        `profile: the bare baseline shows "${layer}" time (${ROUTES[kind]}): the layers are misattributed`,
      )
  }
}

const order = [...LAYERS.map((layer) => layer.name), OTHER.ours, OTHER.next, OTHER.node, OTHER.gc, OTHER.program]
const perRequest = (r, micros) => (micros ?? 0) / r.requests

// Which functions the template's extra time over the bare app with an empty proxy is spent in:
// the layers say whose code it is, this says what it does (self time, so a function's callees
// count apart). Without the empty-proxy arm (the smoke run) there is nothing like for like.
const TOP_FUNCTIONS = 12
// A function is matched across the two builds by where it is in its source (file, line, column),
// not by name: a bundled function's name is its minified one, which differs from build to build
// (Next's proxy adapter is `tY` in one and `tz` in the other). Native functions have no place,
// only a name.
function byPlace(functions) {
  const places = new Map()
  for (const [name, micros] of functions) {
    const at = name.lastIndexOf(' (')
    const located = at >= 0 && !name.endsWith(' (native)')
    const place = located ? name.slice(at + 1) : name
    const entry = places.get(place) ?? { located, names: new Set(), micros: 0 }
    entry.names.add(located ? name.slice(0, at) : name)
    entry.micros += micros
    places.set(place, entry)
  }
  return places
}
function functionsSection(kind) {
  const ours = results.template[kind]
  const theirs = results['baseline + empty proxy']?.[kind]
  if (!theirs) return ''
  const [a, b] = [byPlace(ours.functions), byPlace(theirs.functions)]
  const rows = [...new Set([...a.keys(), ...b.keys()])]
    .map((place) => {
      const mine = perRequest(ours, a.get(place)?.micros)
      const other = perRequest(theirs, b.get(place)?.micros)
      const { located, names } = a.get(place) ?? b.get(place)
      return { label: located ? `${[...names].join(' / ')} ${place}` : place, mine, other, more: mine - other }
    })
    .sort((x, y) => y.more - x.more)
    .slice(0, TOP_FUNCTIONS)
    .map(({ label, mine, other, more }) => [`\`${label}\``, mine.toFixed(1), other.toFixed(1), more.toFixed(1)])
  const gap = perRequest(ours, ours.busy) - perRequest(theirs, theirs.busy)
  return (
    `\n\nThe ${TOP_FUNCTIONS} functions where the template spends the most CPU over baseline + empty proxy (self time, µs per request; the whole gap is ${gap.toFixed(0)}):\n\n` +
    markdownTable(['function (source:line:column)', 'template', 'baseline + empty proxy', 'more'], rows)
  )
}

const sections = Object.entries(ROUTES).map(([kind, title]) => {
  const columns = apps.map((app) => results[app.name][kind])
  const base = results.baseline[kind]
  const rows = order
    .filter((layer) => columns.some((r) => (r.micros.get(layer) ?? 0) > 0))
    .map((layer) => [
      layer,
      ...columns.map((r) => perRequest(r, r.micros.get(layer)).toFixed(0)),
      (
        perRequest(results.template[kind], results.template[kind].micros.get(layer)) -
        perRequest(base, base.micros.get(layer))
      ).toFixed(0),
    ])
  rows.push([
    '**CPU per request, all layers**',
    ...columns.map((r) => `**${perRequest(r, r.busy).toFixed(0)}**`),
    `**${(perRequest(results.template[kind], results.template[kind].busy) - perRequest(base, base.busy)).toFixed(0)}**`,
  ])
  rows.push(['req/s while profiled', ...columns.map((r) => r.rps.toFixed(0)), ''])
  const header = [
    'layer (µs of CPU per request)',
    ...apps.map((app) => `${app.name} \`${app.routes[kind]}\``),
    'template − baseline',
  ]
  return `#### ${title}\n\n${markdownTable(header, rows)}${functionsSection(kind)}`
})

// Our own per-request work outside Next, measured without a profiler (it slows what it samples,
// and not by the same factor on every machine), once the servers above are stopped.
log('our work outside Next: hooked vs unobserved node:http server')
const ourWorkSettings = smoke
  ? { rounds: 1, requests: 2_000, warmup: 1_000 }
  : { rounds: 5, requests: 20_000, warmup: 20_000 }
const ourWork = await measureOurWork({ cwd: template, ...ourWorkSettings })
const perRound = (values) => values.map((v) => v.toFixed(1)).join(' / ')
const ourWorkSection = [
  '#### Our work outside Next, measured directly',
  '',
  `The Node hook (request ID, request context, the 503 wrapper, the drain's bookkeeping, the route lookup), the access line (pino, redaction) and the request metrics, as start-up installs them, on a plain \`node:http\` server answering \`/api/health\`, against the same server left unobserved, in one process (bench/our-work-server.ts). CPU per request from \`process.cpuUsage()\`, no profiler: ${ourWorkSettings.rounds} interleaved round${ourWorkSettings.rounds === 1 ? '' : 's'} of ${ourWorkSettings.requests} requests after ${ourWorkSettings.warmup} of warm-up. Target: under 60 µs.`,
  '',
  markdownTable(
    ['server', 'µs of CPU per request, per round', 'median'],
    [
      ['hooked (access line, metrics)', perRound(ourWork.observed), median(ourWork.observed).toFixed(1)],
      ['unobserved', perRound(ourWork.control), median(ourWork.control).toFixed(1)],
      ['**ours: the difference**', perRound(ourWork.differences), `**${ourWork.ours.toFixed(1)}**`],
    ],
  ),
].join('\n')

const report = [
  "### Where a request's CPU time goes (V8 CPU profiles under load)",
  '',
  `${new Date().toISOString()} · ${machineDescription()} · ${settings.rounds} interleaved rounds of ${settings.duration} s per route after ${settings.warmup} s of warm-up, ${connections} connections, sampled every ${SAMPLING_INTERVAL_US} µs · finished in ${((Date.now() - startedAt) / 60000).toFixed(1)} min${smoke ? ' · **smoke run: too short to read**' : ''}`,
  '',
  "The server's main thread, sample by sample: a sample belongs to the layer of the innermost frame on its stack that is not Node's own; the proxy pass is any sample with Next's proxy adapter anywhere on the stack. The profiler itself slows the server, so read the shares, not the req/s.",
  '',
  ...sections.flatMap((section) => [section, '']),
  ourWorkSection,
  '',
].join('\n')
console.log(`\n${report}`)
const file = path.join(ROOT, 'bench', 'results', smoke ? 'profile-smoke.md' : 'profile.md')
writeFileSync(file, report)
log(`written to ${path.relative(ROOT, file)}`)
