import { defineConfig } from '@playwright/test'

// Chromium comes from the machine (tests/e2e/run.mjs resolves CHROMIUM_PATH); nothing is
// downloaded. Each spec file starts its own production server (tests/e2e/support/server.ts).
export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 2,
  // No retries: a test that fails, fails the run. (forwarders.spec.ts's raw-socket flake was the
  // server resetting connections it had answered mid-body; lib/request/lingering-close.ts.)
  retries: 0,
  timeout: 60_000,
  // Two workers, each with its own production server and Chromium, share two cores: a sign-up
  // (password hashing, a transaction, the redirect's render) can outlast Playwright's default 5 s
  // on a loaded machine. Assertions wait for an outcome; how fast it comes is the benchmarks' job.
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || undefined,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
})
