// A copy of a checkout as a clone would have it: tracked and untracked files, never ignored
// ones (.env, .data/, .next/), with node_modules hard-linked in (fast, and no second install).
// Plain JavaScript, so the benchmarks (plain Node) and the Playwright specs share it.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync } from 'node:fs'
import path from 'node:path'

/**
 * Copies the files of the checkout at `sourceDir` into `dest` and hard-links `nodeModules`
 * (default: the source's own) as `dest/node_modules`.
 * @param {string} sourceDir
 * @param {string} dest
 * @param {{ nodeModules?: string }} [options]
 */
export function copyCheckout(sourceDir, dest, { nodeModules = path.join(sourceDir, 'node_modules') } = {}) {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '.'], {
    cwd: sourceDir,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file && existsSync(path.join(sourceDir, file)))
  for (const file of files) cpSync(path.join(sourceDir, file), path.join(dest, file), { recursive: true })
  execFileSync('cp', ['-al', nodeModules, path.join(dest, 'node_modules')])
}
