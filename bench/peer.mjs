// The peer arm of `npm run bench`: the app that create-t3-app generates (App Router, Auth.js,
// Drizzle on PostgreSQL, tRPC, Tailwind), built and started in production next to the template.
// It is generated at bench time from the npm registry (a pinned CLI version; nothing from GitHub)
// into a folder under os.tmpdir() keyed by the versions, so a second run reuses the build.
// Only this script is committed, never the generated app.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, log } from './harness.mjs'

/** The CLI version, pinned: the newest the registry served when the arm was added (7.40.0). */
export const CREATE_T3_APP = '7.40.0'
/**
 * create-t3-app 7.40.0 asks for next ^15 and next-auth 5.0.0-beta.25, whose peer range stops at
 * Next 15. The peer runs our exact Next (the comparison is about the app, not the framework
 * version) and an Auth.js beta that accepts Next 16: the one Signalbox pins.
 */
export const PEER_NEXT_AUTH = '5.0.0-beta.32'
/**
 * The generated layout loads Geist through next/font/google, which downloads the font at build
 * time; the font servers are not reachable here. The `geist` package ships the same font for
 * next/font/local, self-hosted and preloaded the same way, under the same CSS variable.
 */
export const PEER_GEIST = '1.9.2'
// Bump when what this script does to the generated app changes, so a cached build is not reused.
const RECIPE = 3

/** Its landing page (dynamic: it calls auth() and a tRPC procedure on the server) and a tRPC JSON query. */
export const PEER_ROUTES = {
  landing: '/',
  dynamic: '/',
  json: `/api/trpc/post.hello?input=${encodeURIComponent(JSON.stringify({ json: { text: 'bench' } }))}`,
}

const run = (command, args, cwd, env = {}) =>
  execFileSync(command, args, {
    cwd,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', npm_config_yes: 'true', ...env },
    timeout: 600_000,
  })

/** Env the peer's own src/env.js requires (its Discord provider's keys are never used here). */
export function peerEnv(databaseUrl) {
  return {
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: randomBytes(32).toString('base64url'),
    AUTH_DISCORD_ID: 'bench',
    AUTH_DISCORD_SECRET: 'bench',
  }
}

/**
 * Generates, installs and builds the peer, or reuses the cached build. Returns its folder and
 * what it runs: `{ dir, nextVersion, nextAuthVersion, createT3App, changes, reused }`.
 */
export function preparePeer() {
  const nextVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'next', 'package.json'), 'utf8')).version
  const cache = path.join(
    os.tmpdir(),
    'signalbox-bench-peer',
    `create-t3-app-${CREATE_T3_APP}-next-${nextVersion}-r${RECIPE}`,
  )
  // The app's name is its table prefix (peer_*) and its folder.
  const dir = path.join(cache, 'peer')
  const stamp = path.join(cache, 'built.json')
  if (existsSync(stamp) && existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    log(`peer: reusing the build in ${dir}`)
    return { ...JSON.parse(readFileSync(stamp, 'utf8')), dir, reused: true }
  }
  const started = Date.now()
  rmSync(cache, { recursive: true, force: true })
  mkdirSync(cache, { recursive: true })

  log(`peer: generating with create-t3-app@${CREATE_T3_APP} (npm registry)…`)
  try {
    run(
      'npx',
      [
        '--yes',
        `create-t3-app@${CREATE_T3_APP}`,
        'peer',
        '--CI',
        '--appRouter',
        '--nextAuth',
        '--drizzle',
        '--dbProvider',
        'postgres',
        '--trpc',
        '--tailwind',
        '--noGit',
        '--noInstall',
      ],
      cache,
    )
  } catch (error) {
    throw new Error(
      `bench peer: create-t3-app@${CREATE_T3_APP} failed (needs the npm registry; --no-peer skips the peer): ${error.message}`,
    )
  }
  if (!existsSync(path.join(dir, 'package.json'))) throw new Error(`bench peer: create-t3-app wrote no app in ${dir}`)

  // Only what it takes to build with our Next here; each change is listed in the results.
  const changes = []
  const manifestFile = path.join(dir, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
  const generatedNext = manifest.dependencies.next
  if (!generatedNext.replace(/^[~^]/, '').startsWith(`${nextVersion.split('.')[0]}.`)) {
    manifest.dependencies.next = nextVersion
    changes.push(`next ${generatedNext} → ${nextVersion} (our version)`)
    const generatedAuth = manifest.dependencies['next-auth']
    if (generatedAuth !== PEER_NEXT_AUTH) {
      manifest.dependencies['next-auth'] = PEER_NEXT_AUTH
      changes.push(
        `next-auth ${generatedAuth} → ${PEER_NEXT_AUTH} (a beta whose peer range has Next 16: the one Signalbox pins)`,
      )
    }
  }
  const layoutFile = path.join(dir, 'src', 'app', 'layout.tsx')
  const layout = readFileSync(layoutFile, 'utf8')
  if (layout.includes('next/font/google')) {
    const local = layout
      .replace('import { Geist } from "next/font/google";', 'import { GeistSans } from "geist/font/sans";')
      .replace(/const geist = Geist\(\{[^}]*\}\);\n/s, 'const geist = GeistSans;\n')
    if (local === layout || local.includes('next/font/google'))
      throw new Error('bench peer: the generated layout loads another Google font; teach bench/peer.mjs about it')
    writeFileSync(layoutFile, local)
    manifest.dependencies.geist = PEER_GEIST
    changes.push(
      `Geist from the \`geist\` package (next/font/local) instead of next/font/google (no font download at build)`,
    )
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
  const typeOnly = typeOnlyImports(path.join(dir, 'src'))
  if (typeOnly > 0)
    changes.push(
      `${typeOnly} \`import { type X }\` lines written as \`import type { X }\` (with its verbatimModuleSyntax, Turbopack keeps the former as a runtime import: postgres in the browser bundle, the types-only next-auth/adapters)`,
    )

  log('peer: npm install…')
  try {
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir)
  } catch (error) {
    throw new Error(
      `bench peer: npm install in ${dir} failed (needs the npm registry; --no-peer skips the peer): ${error.message}`,
    )
  }
  log('peer: next build…')
  try {
    run(
      path.join(dir, 'node_modules', '.bin', 'next'),
      ['build'],
      dir,
      peerEnv('postgres://postgres@127.0.0.1:5432/postgres'),
    )
  } catch (error) {
    throw new Error(
      `bench peer: next build in ${dir} failed (its output is above; --no-peer skips the peer): ${error.message}`,
    )
  }
  const info = {
    createT3App: CREATE_T3_APP,
    nextVersion: JSON.parse(readFileSync(path.join(dir, 'node_modules', 'next', 'package.json'), 'utf8')).version,
    nextAuthVersion: JSON.parse(readFileSync(path.join(dir, 'node_modules', 'next-auth', 'package.json'), 'utf8'))
      .version,
    changes,
    preparedInSeconds: Math.round((Date.now() - started) / 1000),
  }
  writeFileSync(stamp, JSON.stringify(info, null, 2))
  log(`peer: generated, installed and built in ${info.preparedInSeconds} s`)
  return { ...info, dir, reused: false }
}

/**
 * Rewrites each import whose every name is `type X` as `import type { X }`, in the .ts and .tsx
 * files under `dir`. Returns how many lines changed.
 */
export function typeOnlyImports(dir) {
  let changed = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue
    const file = path.join(entry.parentPath ?? entry.path, entry.name)
    const source = readFileSync(file, 'utf8')
    const rewritten = source.replace(/^import \{([^}]*)\} from ("[^"]+");$/gm, (line, names, from) => {
      const list = names
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
      if (!list.every((n) => n.startsWith('type '))) return line
      changed++
      return `import type { ${list.map((n) => n.slice('type '.length)).join(', ')} } from ${from};`
    })
    if (rewritten !== source) writeFileSync(file, rewritten)
  }
  return changed
}

/** Its schema on a fresh database, with its own script (`npm run db:push`, drizzle-kit push). */
export function pushPeerSchema(dir, databaseUrl) {
  run(path.join(dir, 'node_modules', '.bin', 'drizzle-kit'), ['push', '--force'], dir, peerEnv(databaseUrl))
}
