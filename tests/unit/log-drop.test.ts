// While nothing reads stdout (a stuck log shipper), the production destination keeps at most
// 16 MiB of lines waiting and drops, and counts, each line past that (STDOUT_DESTINATION's
// maxLength; lib/logs counts the drops for the log_lines_dropped metric). Without the cap the
// waiting lines grow the heap until the process dies. Checked on a real pipe whose reader only
// starts once the burst is over: every line is either delivered or counted as dropped.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { STDOUT_DESTINATION } from '@/lib/logs/logger'

const LINES = 24_000 // about 26 MB of lines: more than the 16 MiB the destination may hold

function runBurst(options: object): Promise<{ delivered: number; dropped: number; heapUsed: number }> {
  const child = spawn(
    process.execPath,
    [path.join('tests', 'support', 'log-drop-child.mjs'), JSON.stringify(options), String(LINES)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  let report = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => (output += chunk))
  child.stdout.pause()
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    report += chunk
    if (report.includes('\n')) child.stdout.resume() // the burst is over: the shipper catches up
  })
  return new Promise((resolve) =>
    child.on('close', () => {
      const delivered = output.split('\n').filter((line) => line.includes('"msg":"burst"')).length
      resolve({ delivered, ...(JSON.parse(report) as { dropped: number; heapUsed: number }) })
    }),
  )
}

describe('stdout nobody reads', () => {
  it('drops and counts the lines past 16 MiB, and delivers the rest once it is read again', async () => {
    const { delivered, dropped } = await runBurst(STDOUT_DESTINATION)
    expect(dropped).toBeGreaterThan(0)
    expect(delivered).toBeGreaterThan(0)
    expect(delivered + dropped).toBe(LINES)
  }, 30_000)
})
