// Starts the production build (`next start`) on a free loopback port with its own database,
// records every line it prints, and stops it afterwards. `buildApp` makes an extra production
// build in another directory (NEXT_DIST_DIR) for specs that need build-time settings.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createThrowawayPostgres } from '../../support/postgres.mjs'

export type AppServer = {
  url: string
  /** Every line written to stdout and stderr so far. */
  output: string[]
  process: ChildProcess
  stop: () => Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * A fresh database for one server: a throwaway PostgreSQL database when TEST_DATABASE_URL is
 * set, which the server reaches as its own app role (as deployed: INSERT and SELECT only on
 * audit_log), else an embedded PGlite directory in a temporary folder.
 */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL?.trim()
  if (serverUrl) {
    const database = await createThrowawayPostgres(serverUrl, { appRole: true })
    return { url: database.appUrl!, drop: database.drop }
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'signalbox-e2e-'))
  return { url: `pglite:${dir}`, drop: () => rm(dir, { recursive: true, force: true }) }
}

type StartOptions = {
  /** Variables added to (or, with `undefined`, removed from) the server's environment. */
  env?: Record<string, string | undefined>
  /** Resolve once the process has printed its ready line, without waiting for health. */
  waitForHealth?: boolean
  /**
   * Also wait for /api/ready, i.e. for the database to be open. Opening the embedded database
   * holds the event loop for seconds; requests racing it can meet reset keep-alive sockets.
   */
  waitForReady?: boolean
  /** Serve the build in this directory (see `buildApp`) instead of .next. */
  distDir?: string
}

function childEnvironment(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env }
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key]
  return childEnv
}

/**
 * `next build` into `distDir` with `env` (NEXT_PUBLIC_* values are inlined into the browser
 * bundle at build time). Leaves the default .next build alone. Rejects with the build output.
 */
export async function buildApp({
  distDir,
  env = {},
}: {
  distDir: string
  env?: Record<string, string | undefined>
}): Promise<void> {
  // The build points next-env.d.ts at its own types; the developer's editor should keep .next's.
  const nextEnv = await readFile('next-env.d.ts', 'utf8').catch(() => undefined)
  const child = spawn(path.join('node_modules', '.bin', 'next'), ['build'], {
    env: childEnvironment({ ...env, NODE_ENV: 'production', NEXT_DIST_DIR: distDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (nextEnv !== undefined) await writeFile('next-env.d.ts', nextEnv)
  if (code !== 0) throw new Error(`next build into ${distDir} failed with ${code}:\n${output}`)
}

export async function startServer({
  env = {},
  waitForHealth = true,
  waitForReady = false,
  distDir,
}: StartOptions = {}): Promise<AppServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const database = 'DATABASE_URL' in env ? undefined : await freshDatabase()
  const childEnv = childEnvironment({
    NODE_ENV: 'production',
    DATABASE_URL: database?.url,
    ...(distDir ? { NEXT_DIST_DIR: distDir } : {}),
    // Production requires a session secret and an origin that is not the Host header; each
    // test server gets its own.
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    AUTH_URL: url,
    // As `npm start` runs it: our shutdown (lib/shutdown.ts) is the only SIGTERM handler.
    NEXT_MANUAL_SIG_HANDLE: 'true',
    ...env,
  })

  const child = spawn(path.join('node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    let pending = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      output.push(...lines)
    })
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await database?.drop()
  }

  const waitFor = async (endpoint: string, what: string) => {
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) {
        await stop()
        throw new Error(`next start exited with ${child.exitCode}:\n${output.join('\n')}`)
      }
      try {
        const response = await fetch(`${url}${endpoint}`)
        if (response.ok) break
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`next start did not become ${what} within 30 s:\n${output.join('\n')}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  if (waitForHealth || waitForReady) await waitFor('/api/health', 'healthy')
  if (waitForReady) await waitFor('/api/ready', 'ready')
  return { url, output, process: child, stop }
}
