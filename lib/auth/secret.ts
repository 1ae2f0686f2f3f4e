// The key Auth.js signs and encrypts session cookies with.
import 'server-only'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { MAKE_AUTH_SECRET, env, isProductionRuntime } from '../env'
import { logger } from '../logs'

const DEVELOPMENT_SECRET_FILE = path.join('.data', 'auth-secret')

// On globalThis so hot reload keeps one secret (and one warning) per process.
const cache = globalThis as unknown as { __signalboxAuthSecret?: string }

/**
 * AUTH_SECRET when set. A production server cannot get here without it (lib/env refuses to
 * start). In development a random secret is generated once and kept in `.data/` next to the
 * embedded database, so sessions survive restarts and deleting `.data/` resets both.
 */
export function authSecret(): string | undefined {
  const configured = env().AUTH_SECRET
  if (configured) return configured
  if (isProductionRuntime() || process.env.NEXT_PHASE === 'phase-production-build') return undefined
  cache.__signalboxAuthSecret ??= developmentSecret()
  return cache.__signalboxAuthSecret
}

function developmentSecret(): string {
  let secret: string | undefined
  let stored = true
  try {
    secret = readFileSync(DEVELOPMENT_SECRET_FILE, 'utf8').trim() || undefined
  } catch {
    // not generated yet
  }
  if (!secret) {
    secret = randomBytes(32).toString('base64url')
    try {
      mkdirSync(path.dirname(DEVELOPMENT_SECRET_FILE), { recursive: true })
      writeFileSync(DEVELOPMENT_SECRET_FILE, `${secret}\n`, { mode: 0o600 })
    } catch {
      stored = false // read-only checkout: sessions last until the process restarts
    }
  }
  logger.warn(
    { variable: 'AUTH_SECRET', stored_in: stored ? DEVELOPMENT_SECRET_FILE : 'memory' },
    `AUTH_SECRET is not set: using a generated development secret. Production needs its own: ${MAKE_AUTH_SECRET}.`,
  )
  return secret
}
