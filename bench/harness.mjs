// Shared pieces of the benchmarks: build a variant of the app in its own folder, start it on
// loopback, load it with autocannon, and print side-by-side tables. Everything is bounded in
// time and talks only to 127.0.0.1.
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
// Outside the repository: a copy inside it would make Next pick the repository as workspace root.
export const WORK = path.join(os.tmpdir(), 'signalbox-bench')

const log = (...args) => console.error('[bench]', ...args)

/**
 * Copies the working tree (tracked and untracked, not ignored) into bench/.work/<name>,
 * hard-links node_modules, lets `mutate(dir)` change it, and runs a production build there.
 */
export function buildVariant(name, mutate = () => {}, { sourceDir = ROOT, env = {} } = {}) {
  const dir = path.join(WORK, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: sourceDir, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(path.join(sourceDir, f)))
  for (const file of files) cpSync(path.join(sourceDir, file), path.join(dir, file), { recursive: true })
  execFileSync('cp', ['-al', path.join(sourceDir, 'node_modules'), path.join(dir, 'node_modules')])
  mutate(dir)
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

export function writeFile(dir, file, text) {
  writeFileSync(path.join(dir, file), text)
}

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
 * Starts `next start` in `dir`. Its output goes to a file, as with a container runtime's log
 * driver: a pipe drained by this (busy) process would measure our own backpressure instead.
 */
export async function startApp(dir, env = {}) {
  const port = await freePort()
  const logFile = path.join(WORK, `server-${port}.log`)
  const fd = openSync(logFile, 'w')
  const child = spawn(path.join(dir, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...env },
    stdio: ['ignore', fd, fd],
  })
  closeSync(fd)
  const errors = () => readFileSync(logFile, 'utf8').slice(-4000)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server in ${dir} exited: ${errors()}`)
    try {
      if ((await fetch(`${url}/api/ready`)).ok) break // ready: the database has booted too
    } catch {
      /* not yet listening */
    }
    if (Date.now() > deadline) throw new Error(`server in ${dir} not healthy in 30 s: ${errors()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    url,
    pid: child.pid,
    logFile,
    stop: async () => {
      child.kill('SIGTERM')
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)))
    },
  }
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

/** Warms each target, then runs `rounds` interleaved A/B/… rounds against the same path. */
export async function interleaved(targets, path, { rounds = 3, duration = 5, connections = 10, warmup = 2 } = {}) {
  for (const target of targets) await load(`${target.url}${path}`, { duration: warmup, connections })
  const results = Object.fromEntries(targets.map((t) => [t.name, []]))
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse() // alternate who goes first
    for (const target of order) {
      const r = await load(`${target.url}${path}`, { duration, connections })
      if (r.failed > 0) log(`${target.name} ${path}: ${r.failed} failed responses in round ${round + 1}`)
      results[target.name].push(r)
    }
  }
  return results
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
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
