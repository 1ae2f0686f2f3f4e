import { type ChildProcess, spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { cpuMicros, roundsFromArgs } from '../../bench/harness.mjs'

// The bench's CPU per request reads /proc for the server's whole process tree: a server whose
// work runs in a child process must not look free.
describe('cpuMicros', () => {
  let parent: ChildProcess | undefined
  afterEach(() => {
    // The parent leads its own process group: this ends the busy grandchild too.
    if (parent?.pid) process.kill(-parent.pid, 'SIGKILL')
  })

  it("counts a child process's CPU time with its parent's", async () => {
    // Busy for 0.6 s of its own CPU, not of wall time: on a loaded machine a wall-clock loop got
    // only 0.44 s of CPU in its 0.6 s.
    const busyChild =
      'const cpu = () => { const u = process.cpuUsage(); return u.user + u.system }; while (cpu() < 600_000); setInterval(() => {}, 1000)'
    // The parent only starts the child and waits: next to nothing of its own.
    const idleParent = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(busyChild)}], { stdio: 'ignore' }); setInterval(() => {}, 1000)`
    parent = spawn(process.execPath, ['-e', idleParent], { stdio: 'ignore', detached: true })
    const pid = parent.pid!
    const startedAt = Date.now()
    let used = 0
    while (Date.now() - startedAt < 15_000) {
      used = cpuMicros(pid)
      if (used >= 500_000) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    // 0.6 s of busy loop in the child (clock ticks are 10 ms); the parent alone starts in ~0.05 s.
    expect(used).toBeGreaterThanOrEqual(500_000)
    expect(used).toBeLessThan((Date.now() - startedAt) * 1000 * 2 + 100_000)
  })

  it('is 0 for a process that is gone', () => {
    expect(cpuMicros(2 ** 22 + 12345)).toBe(0)
  })
})

describe('roundsFromArgs', () => {
  it('reads --rounds N, and falls back without it', () => {
    expect(roundsFromArgs(['--no-peer', '--rounds', '7'], 3)).toBe(7)
    expect(roundsFromArgs(['--smoke'], 3)).toBe(3)
  })

  it('refuses anything but a whole number from 1 to 50, naming what it got', () => {
    expect(() => roundsFromArgs(['--rounds'], 3)).toThrow('not nothing')
    expect(() => roundsFromArgs(['--rounds', 'five'], 3)).toThrow('not five')
    expect(() => roundsFromArgs(['--rounds', '0'], 3)).toThrow('from 1 to 50')
    expect(() => roundsFromArgs(['--rounds', '2.5'], 3)).toThrow('from 1 to 50')
    expect(() => roundsFromArgs(['--rounds', '51'], 3)).toThrow('from 1 to 50')
  })
})
