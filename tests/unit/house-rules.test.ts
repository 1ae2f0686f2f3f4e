// The house rules in eslint.config.mjs (rooms, app/ at the top, vendor SDKs in their adapters) fire
// on planted code and stay quiet on legal code. The code is linted as if it lived at `file`; no
// file is written. The import targets exist and are not moving (lib/analytics, lib/auth, lib/db,
// lib/flags, app/), because import/no-restricted-paths only judges imports it can resolve.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint, type Linter } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const HOUSE_RULES = new Set(['import/no-restricted-paths', 'no-restricted-imports', 'no-restricted-syntax'])

let eslint: ESLint
beforeAll(() => {
  // no-unresolved (added for this test only) proves every planted import resolves, so a quiet
  // legal case means the rules judged the import rather than skipped it.
  eslint = new ESLint({
    cwd: root,
    overrideConfig: { rules: { 'import/no-unresolved': ['error', { commonjs: true }] } },
  })
})

/** The house rules' messages for `code` linted as `file`. */
async function houseRuleMessages(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) })
  const messages = result!.messages
  expect(messages.filter((m) => m.fatal || m.ruleId === 'import/no-unresolved')).toEqual([])
  return messages.filter((m) => m.ruleId !== null && HOUSE_RULES.has(m.ruleId))
}

async function expectOneReport(file: string, code: string, ruleId: string, message: string) {
  const messages = await houseRuleMessages(file, code)
  expect(messages.map((m) => m.ruleId)).toEqual([ruleId])
  expect(messages[0]!.message).toContain(message)
}

describe('rooms: from outside, only entry points', () => {
  it.each([
    [
      'a deep @/lib import',
      'lib/flags/planted.ts',
      `import type { EventName } from '@/lib/analytics/events'`,
      'analytics',
    ],
    ['a deep relative import', 'lib/flags/planted.ts', `import { can } from '../auth/permissions'`, 'auth'],
    [
      'a deep import()',
      'lib/flags/planted.ts',
      `export const load = () => import('../analytics/posthog-server')`,
      'analytics',
    ],
    ['a deep import from app/', 'app/planted/page.tsx', `import { getSession } from '@/lib/auth/session'`, 'auth'],
    ['a deep import from a root file', 'proxy.ts', `import { getSession } from './lib/auth/session'`, 'auth'],
    ['a room file not on the extra list', 'drizzle.config.ts', `import { rowsOf } from './lib/db/rows'`, 'db'],
  ])('reports %s', async (_name, file, code, room) => {
    await expectOneReport(file, code, 'import/no-restricted-paths', `lib/${room} is a room`)
  })
})

describe('app/ is never imported from lib/ or components/', () => {
  it.each([
    [
      'an @/app import from lib/',
      'lib/analytics/planted.ts',
      `import type { AuthFormState } from '@/app/(auth)/actions'`,
    ],
    ['a relative import from lib/', 'lib/analytics/planted.ts', `import '../../app/page'`],
    [
      'an @/app import from components/',
      'components/planted.tsx',
      `import { signInAction } from '@/app/(auth)/actions'`,
    ],
  ])('reports %s', async (_name, file, code) => {
    await expectOneReport(file, code, 'import/no-restricted-paths', 'never import from app/')
  })
})

describe('vendor SDKs only in their adapters', () => {
  it.each([
    [
      'a value import',
      'lib/flags/planted.ts',
      `import { PostHog } from 'posthog-node'`,
      'no-restricted-imports',
      'posthog-node:',
    ],
    [
      'a type-only import',
      'lib/flags/planted.ts',
      `import type { PostHog } from 'posthog-node'`,
      'no-restricted-imports',
      'posthog-node:',
    ],
    [
      'a re-export',
      'lib/flags/planted.ts',
      `export type { PostHog } from 'posthog-node'`,
      'no-restricted-imports',
      'posthog-node:',
    ],
    [
      'a subpath from app/',
      'app/planted.ts',
      `import GitHub from 'next-auth/providers/github'`,
      'no-restricted-imports',
      'next-auth, @auth/*:',
    ],
    [
      'a package of a scope',
      'lib/auth/planted.ts',
      `import { DrizzleAdapter } from '@auth/drizzle-adapter'`,
      'no-restricted-imports',
      'next-auth, @auth/*:',
    ],
    [
      'another vendor in an adapter',
      'lib/analytics/posthog-server.ts',
      `import posthog from 'posthog-js'`,
      'no-restricted-imports',
      'posthog-js:',
    ],
    [
      'an import()',
      'lib/analytics/client.ts',
      `export const load = () => import('posthog-js')`,
      'no-restricted-syntax',
      'posthog-js:',
    ],
    [
      'a require()',
      'lib/flags/planted.ts',
      `export const client = require('prom-client')`,
      'no-restricted-syntax',
      'prom-client:',
    ],
    [
      'an import() type',
      'lib/flags/planted.ts',
      `export type Logger = import('pino').Logger`,
      'no-restricted-syntax',
      'pino, pino-pretty:',
    ],
  ])('reports %s', async (_name, file, code, ruleId, message) => {
    await expectOneReport(file, code, ruleId, message)
  })
})

describe('legal imports', () => {
  it.each([
    ['a room’s index.ts by @/lib', 'lib/flags/planted.ts', `import { can } from '@/lib/auth'`],
    ['a room’s index.ts by a relative path', 'lib/flags/planted.ts', `import { can } from '../auth'`],
    ['a room’s client.ts', 'components/planted.tsx', `import { track } from '@/lib/analytics/client'`],
    ['a room’s client.tsx', 'app/planted.tsx', `import { useFlag } from '@/lib/flags/client'`],
    [
      'the extra entry points',
      'drizzle.config.ts',
      `import { migrationTargetFrom } from './lib/db/url'\nimport * as schema from './lib/db/schema'`,
    ],
    ['a single-file module under lib/', 'app/planted.ts', `import { readCapped } from '@/lib/http'`],
    [
      'files of its own room',
      'lib/analytics/planted.ts',
      `import type { EventName } from './events'\nimport type { Feature } from '@/lib/analytics/events'`,
    ],
    [
      'internals and SDKs, from tests/',
      'tests/unit/planted.test.ts',
      `import { can } from '@/lib/auth/permissions'\nimport { PostHog } from 'posthog-node'`,
    ],
    ['an adapter’s own SDK', 'lib/analytics/posthog-server.ts', `import { PostHog } from 'posthog-node'`],
    [
      'Auth.js in its adapter',
      'lib/auth/nextauth.ts',
      `import NextAuth from 'next-auth'\nimport { DrizzleAdapter } from '@auth/drizzle-adapter'`,
    ],
    [
      'an SDK in its adapter folder',
      'lib/traces/planted.ts',
      `import { trace } from '@opentelemetry/api'\ntype Api = typeof import('@opentelemetry/api')`,
    ],
    [
      'the build plugin’s require()',
      'next.config.js',
      `const { withSentryConfig } = require('@sentry/nextjs/config')\nmodule.exports = withSentryConfig({})`,
    ],
  ])('allows %s', async (_name, file, code) => {
    expect(await houseRuleMessages(file, code)).toEqual([])
  })
})
