// What a page costs the browser: the JavaScript its HTML loads before it is interactive, and
// Lighthouse's verdict in the system Chromium.
import { gzipSync } from 'node:zlib'
import * as chromeLauncher from 'chrome-launcher'
import lighthouse from 'lighthouse'
import { CHROMIUM_FLAGS, chromiumPath } from './actions.mjs'

/**
 * Gzipped bytes of every script the served HTML of `path` loads (`<script src>`, not `nomodule`
 * ones). Chunks fetched later with import() — PostHog and Sentry load that way — are not
 * counted: they do not hold up the first paint. Works for dynamic and signed-in pages alike.
 */
export async function firstLoadJs(appUrl, path, headers = {}) {
  const response = await fetch(`${appUrl}${path}`, { headers })
  const html = await response.text()
  if (!response.ok) throw new Error(`${path} answered ${response.status}`)
  const sources = new Set(
    [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"[^>]*>/g)]
      .filter((match) => !/\snomodule/i.test(match[0]))
      .map((match) => match[1]),
  )
  let gzip = 0
  for (const source of sources) {
    const script = await fetch(new URL(source, appUrl))
    gzip += gzipSync(Buffer.from(await script.arrayBuffer())).length
  }
  return { files: sources.size, gzipKiB: gzip / 1024 }
}

/** Lighthouse's performance score (0–100) and total blocking time for one URL. */
export async function lighthouseScore(url) {
  const chrome = await chromeLauncher.launch({
    chromePath: chromiumPath(),
    chromeFlags: ['--headless=new', ...CHROMIUM_FLAGS],
  })
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      onlyCategories: ['performance'],
      logLevel: 'error',
    })
    const { lhr } = result
    return {
      score: Math.round((lhr.categories.performance.score ?? 0) * 100),
      tbtMs: lhr.audits['total-blocking-time']?.numericValue ?? NaN,
      lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? NaN,
    }
  } finally {
    await chrome.kill()
  }
}
