// flushLogs (lib/logs) must wait for the lines still being written: the shutdown exits right
// after it. Checked on a real pipe with a reader that falls behind for 300 ms (a log shipper),
// with the production destination's options (STDOUT_DESTINATION): every line arrives, in order.
// With sonic-boom's default (minLength 0) flush() calls back at once and a 16 KB chunk the full
// pipe had refused is lost at exit (about 25 lines of 2000).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { STDOUT_DESTINATION } from '@/lib/logs/logger'

const LINES = 2000 // about 1 MB: far more than the pipe and the paused reader hold

function runBurst(options: object): Promise<string[]> {
  const child = spawn(
    process.execPath,
    [path.join('tests', 'support', 'log-burst-at-exit.mjs'), JSON.stringify(options), String(LINES)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => (output += chunk))
  child.stdout.pause()
  setTimeout(() => child.stdout.resume(), 300)
  return new Promise((resolve) => child.on('close', () => resolve(output.split('\n').filter(Boolean))))
}

describe('flushLogs before exit', () => {
  it('gets every line out, in order, through a pipe whose reader is behind', async () => {
    const lines = await runBurst(STDOUT_DESTINATION)
    const burst = lines.map((line) => JSON.parse(line) as { msg: string; i?: number }).filter((l) => l.msg === 'burst')
    expect(burst.map((line) => line.i)).toEqual(Array.from({ length: LINES }, (_, i) => i))
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: 'last' })
  })
})
