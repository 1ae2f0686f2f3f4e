import { defineConfig, globalIgnores } from 'eslint/config'
import nextVitals from 'eslint-config-next/core-web-vitals'
import nextTs from 'eslint-config-next/typescript'

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', '.next-*/**', '.data/**', 'node_modules/**', 'drizzle/**', 'next-env.d.ts', 'bench/baseline/.next/**', 'test-results/**']),
])
