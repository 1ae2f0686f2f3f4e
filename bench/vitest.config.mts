import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

// Benchmarks are not tests: `npm run bench:audit` runs them on demand, never in `npm test`.
export default defineConfig({
  root,
  resolve: { alias: { '@': root } },
  test: {
    environment: 'node',
    include: ['bench/**/*.bench.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
})
