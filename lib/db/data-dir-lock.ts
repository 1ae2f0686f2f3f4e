// One process per embedded database folder. PGlite is PostgreSQL compiled to WebAssembly and runs
// inside the process: there is no server for two processes to share. Two of them on one folder
// (`npm run dev` beside `npm start` with the same DATABASE_URL=pglite:…) each saw their own
// data, and once both stopped the folder no longer opened at all ("RuntimeError: Aborted()"),
// found by a new-user review. So the first process takes a lock file, and a second one stops
// with a message instead of opening the folder (lib/startup.ts exits on it).
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import path from 'node:path'

const LOCK_FILE = 'signalbox.lock'

export class DataDirInUse extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `the embedded database in ${dataDir} is open in another process (pid ${pid}, perhaps another \`npm run dev\` or \`npm start\`). ` +
        `Stop that one, or give this one its own folder (DATABASE_URL=pglite:.data/<another>). ` +
        `If no such process is running, delete ${path.join(dataDir, LOCK_FILE)}.`,
    )
    this.name = 'DataDirInUse'
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0) // signal 0: only asks whether the process exists
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // exists, owned by someone else
  }
}

/**
 * Takes `dataDir` for this process; returns what gives it back (also done when the process
 * exits). A lock left by a process that is gone (killed, crashed) is taken over. Throws
 * DataDirInUse while another running process holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx') // fails if it exists: taking it is one atomic step
      writeSync(fd, String(process.pid))
      closeSync(fd)
      const release = () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file)
        } catch {
          // already gone
        }
      }
      process.once('exit', release)
      return release
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let holder = NaN
    try {
      holder = Number(readFileSync(file, 'utf8').trim())
    } catch {
      continue // released meanwhile: try again
    }
    if (holder === process.pid) return () => {} // this process has it already (a reopen)
    if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) throw new DataDirInUse(dataDir, holder)
    try {
      unlinkSync(file) // stale, or unreadable: its process is gone
    } catch {
      // another process took it over first: the next attempt sees whose it is
    }
  }
  throw new Error(`could not lock the embedded database in ${dataDir}`)
}
