import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = path.dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  resolve: {
    alias: {
      '@': root,
      // `server-only` throws outside React's server bundle; tests run server code directly.
      'server-only': path.join(root, 'tests/support/empty-module.ts'),
    },
  },
  test: {
    environment: 'node',
    // Tests that inject failures would otherwise print their expected error lines; spies on the
    // logger still see every call. The logger's own tests choose their level.
    env: { LOG_LEVEL: 'silent' },
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    // next-auth's ESM imports `next/server` without an extension, which Node's resolver refuses
    // (next has no exports map); bundled by Vite, it resolves like it does inside Next.
    server: { deps: { inline: ['next-auth'] } },
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // PGlite boots a WASM Postgres per database; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
})
