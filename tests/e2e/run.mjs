// `npm run test:e2e`: builds the app for production, finds a Chromium that is already on the
// machine, and runs Playwright. It never downloads a browser.
//   npm run test:e2e -- --no-build     reuse the existing .next build (CI builds just before)
//   npm run test:e2e -- <playwright args, e.g. a file filter or --headed>
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const args = process.argv.slice(2)
const skipBuild = args.includes('--no-build')
const playwrightArgs = args.filter((arg) => arg !== '--no-build')

function findChromium() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core')
    const bundled = chromium.executablePath()
    if (bundled && existsSync(bundled)) return bundled
  } catch {
    // playwright-core has no browser of its own here; fall through to the message below.
  }
  return undefined
}

const chromium = findChromium()
if (!chromium) {
  console.error(
    'No Chromium found: install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to its executable.',
  )
  process.exit(1)
}

const run = (command, commandArgs, env = process.env) => {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

if (!skipBuild) run('npx', ['next', 'build'])
else if (!existsSync('.next/BUILD_ID')) {
  console.error('No production build in .next: run `npm run build` first, or drop --no-build.')
  process.exit(1)
}

run('npx', ['playwright', 'test', ...playwrightArgs], { ...process.env, CHROMIUM_PATH: chromium })
