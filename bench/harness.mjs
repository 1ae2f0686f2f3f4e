// Shared pieces of the benchmarks: build a variant of an app in its own folder, start it on
// loopback, load it with autocannon, read its memory, and print side-by-side tables.
// Everything is bounded in time and talks only to 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { copyCheckout } from '../tests/support/checkout-copy.mjs'

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
// Outside the repository: a copy inside it would make Next pick the repository as workspace root.
export const WORK = path.join(os.tmpdir(), 'signalbox-bench')

export const log = (...args) => console.error('[bench]', ...args)

/**
 * Copies a source tree (tracked and untracked files, not ignored ones) into WORK/<name>,
 * hard-links the repository's node_modules, lets `mutate(dir)` change the copy, and, unless
 * `build` is false, runs a production build there. Returns the folder.
 */
export function buildVariant(name, mutate = () => {}, { sourceDir = ROOT, env = {}, build = true } = {}) {
  const dir = path.join(WORK, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  copyCheckout(sourceDir, dir, { nodeModules: path.join(ROOT, 'node_modules') })
  mutate(dir)
  if (!build) return dir
  log(`building ${name}…`)
  const started = Date.now()
  execFileSync(path.join(dir, 'node_modules', '.bin', 'next'), ['build'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
  })
  log(`built ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return dir
}

/** Replaces `pattern` in `file` of `dir`; throws when it is not there, so a refactor cannot silently void a variant. */
export function rewrite(dir, file, pattern, replacement) {
  const target = path.join(dir, file)
  const source = readFileSync(target, 'utf8')
  const changed = source.replace(pattern, replacement)
  if (changed === source) throw new Error(`bench variant: ${pattern} not found in ${file}`)
  writeFileSync(target, changed)
}

/**
 * A loopback server that accepts whatever PostHog's, OpenTelemetry's or Sentry's exporters send,
 * answers as PostHog does, and counts requests by `METHOD /path`.
 */
export async function startSink() {
  const received = new Map()
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const key = `${req.method} ${(req.url ?? '/').split('?')[0]}`
      received.set(key, (received.get(key) ?? 0) + 1)
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":1}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** Makes the variant's proxy match nothing (request IDs still come from the Node server hook). */
export const disableProxy = (dir) => rewrite(dir, 'proxy.ts', /matcher: \[[^\]]*\]/, "matcher: ['/__proxy_disabled__']")

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts `next start` in `dir` and waits until `readyPath` answers 200. Its output goes to a
 * file, as with a container runtime's log driver: a pipe drained by this (busy) process would
 * measure our own backpressure instead. `nodeArgs` go to Node itself (`--cpu-prof` is refused
 * in NODE_OPTIONS); `node` is the Node binary (another version's, to compare them).
 */
export async function startApp(
  dir,
  env = {},
  { readyPath = '/api/ready', nodeArgs = [], node = process.execPath } = {},
) {
  const port = await freePort()
  mkdirSync(WORK, { recursive: true })
  const logFile = path.join(WORK, `server-${port}.log`)
  const fd = openSync(logFile, 'w')
  const next = path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next')
  const child = spawn(node, [...nodeArgs, next, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      AUTH_SECRET: randomBytes(32).toString('base64url'),
      // Production takes its origin from AUTH_URL rather than the Host header (lib/env).
      AUTH_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const errors = () => readFileSync(logFile, 'utf8').slice(-4000)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server in ${dir} exited: ${errors()}`)
    try {
      if ((await fetch(`${url}${readyPath}`)).ok) break // ready: the database has booted too
    } catch {
      /* not yet listening */
    }
    if (Date.now() > deadline) throw new Error(`server in ${dir} not ready in 60 s: ${errors()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    pid: child.pid,
    logFile,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))
    },
  }
}

/** A process and its descendants (Linux /proc): `next start` may run its server in a child. */
function processTree(pid) {
  const parents = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      parents.set(Number(entry), Number(statFields(entry)[1]))
    } catch {
      /* the process ended meanwhile */
    }
  }
  const tree = [pid]
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child)
  return tree
}

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces): state is [0]. */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
}

/** Resident memory of a process and its descendants, in MiB (Linux /proc). */
export function rssMiB(pid) {
  let kib = 0
  for (const member of processTree(pid)) {
    try {
      kib += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1] ?? 0)
    } catch {
      /* gone */
    }
  }
  return kib / 1024
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100

/**
 * CPU time (user + system) a process and its descendants have used so far, in µs (Linux /proc;
 * whole clock ticks, 10 ms each, so read it over seconds of load, not one request).
 */
export function cpuMicros(pid) {
  let ticks = 0
  for (const member of processTree(pid)) {
    try {
      const fields = statFields(member)
      ticks += Number(fields[11]) + Number(fields[12]) // utime, stime
    } catch {
      /* gone */
    }
  }
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6
}

/** One autocannon run: req/s and latency percentiles in ms. */
export async function load(url, { duration = 5, connections = 10, method = 'GET', headers = {}, body } = {}) {
  const result = await autocannon({ url, duration, connections, method, headers, body })
  const failed = result.non2xx + result.errors + result.timeouts
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed,
    total: result.requests.total,
  }
}

/**
 * Warms each target, then runs `rounds` interleaved rounds, alternating which target goes
 * first. `targets` are `{ name, url, path, pid? }`: the same kind of route may have a different
 * path on each app. With a `pid`, each result also has `cpuPerRequest`, the server's CPU µs per
 * answered request over the round.
 */
export async function interleaved(targets, { rounds = 3, duration = 5, connections = 10, warmup = 2 } = {}) {
  for (const target of targets) await load(`${target.url}${target.path}`, { duration: warmup, connections })
  const results = Object.fromEntries(targets.map((t) => [t.name, []]))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse()
    for (const target of order) {
      const cpuBefore = target.pid ? cpuMicros(target.pid) : undefined
      const r = await load(`${target.url}${target.path}`, { duration, connections })
      // The server's CPU per answered request: its cost, read apart from how much of the two
      // cores it got while autocannon shared them (docs/performance.md compares the two).
      if (cpuBefore !== undefined) r.cpuPerRequest = (cpuMicros(target.pid) - cpuBefore) / r.total
      if (r.failed > 0) log(`${target.name} ${target.path}: ${r.failed} failed responses in round ${round + 1}`)
      results[target.name].push(r)
    }
  }
  return results
}

/**
 * `--rounds N` from the command line (more interleaved rounds narrow the spread on a noisy
 * machine), else `fallback`; anything but a whole number from 1 to 50 is refused by name.
 */
export function roundsFromArgs(args, fallback) {
  const at = args.indexOf('--rounds')
  if (at === -1) return fallback
  const rounds = Number(args[at + 1])
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50)
    throw new Error(`--rounds takes a whole number from 1 to 50, not ${args[at + 1] ?? 'nothing'}`)
  return rounds
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

export const ratio = (a, b) => (b === 0 ? NaN : a / b)

export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export function machineDescription() {
  const cpus = os.cpus()
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`
}

/** A proxy that only lets the request through, on the matcher of the template's proxy.ts (read, not copied by hand). */
export function emptyProxyWithOurMatcher() {
  const ours = readFileSync(path.join(ROOT, 'proxy.ts'), 'utf8')
  const matcher = /matcher:\s*(\[[^\]]*\])/.exec(ours)?.[1]
  if (!matcher) throw new Error('bench: no matcher found in proxy.ts')
  return [
    "import { NextResponse } from 'next/server'",
    '',
    'export function proxy() {',
    '  return NextResponse.next()',
    '}',
    '',
    `export const config = { matcher: ${matcher} }`,
    '',
  ].join('\n')
}
