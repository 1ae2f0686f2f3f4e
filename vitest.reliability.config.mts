import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = path.dirname(fileURLToPath(import.meta.url))

// `npm run test:reliability`: fault and load scenarios against production builds on loopback
// (tests/reliability/). One scenario at a time: each loads the machine on purpose, and a second
// one beside it would measure the other's load.
export default defineConfig({
  resolve: { alias: { '@': root, 'server-only': path.join(root, 'tests/support/empty-module.ts') } },
  test: {
    environment: 'node',
    include: ['tests/reliability/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
})
