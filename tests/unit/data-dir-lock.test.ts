// One process per embedded database folder: a second one is refused with a message that says
// what to do, and a lock left by a process that is gone is taken over.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DataDirInUse, lockDataDir } from '@/lib/db/data-dir-lock'

const folder = () => mkdtempSync(path.join(os.tmpdir(), 'signalbox-lock-'))
const lockFile = (dir: string) => path.join(dir, 'signalbox.lock')

describe('lockDataDir', () => {
  it('takes a free folder, lets this process take it again, and gives it back', () => {
    const dir = folder()
    const release = lockDataDir(dir)
    expect(readFileSync(lockFile(dir), 'utf8')).toBe(String(process.pid))
    expect(() => lockDataDir(dir)).not.toThrow()
    release()
    expect(existsSync(lockFile(dir))).toBe(false)
  })

  it('refuses a folder another running process holds, naming it and what to do', async () => {
    const dir = folder()
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' })
    try {
      writeFileSync(lockFile(dir), String(other.pid))
      expect(() => lockDataDir(dir)).toThrow(DataDirInUse)
      expect(() => lockDataDir(dir)).toThrow(`open in another process (pid ${other.pid}`)
      expect(readFileSync(lockFile(dir), 'utf8')).toBe(String(other.pid)) // still theirs
    } finally {
      other.kill()
    }
  })

  it('takes over a lock whose process is gone', async () => {
    const dir = folder()
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await new Promise((resolve) => gone.once('exit', resolve))
    writeFileSync(lockFile(dir), String(gone.pid))
    const release = lockDataDir(dir)
    expect(readFileSync(lockFile(dir), 'utf8')).toBe(String(process.pid))
    release()
  })
})
