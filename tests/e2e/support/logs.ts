// Reads the JSON log lines a server printed (non-JSON lines, e.g. Next's banner, are skipped).
import type { AppServer } from './server'

export type LogLine = Record<string, unknown> & { msg?: string; level?: string; request_id?: string }

export function jsonLines(app: AppServer): LogLine[] {
  const lines: LogLine[] = []
  for (const line of app.output) {
    if (!line.startsWith('{')) continue
    try {
      lines.push(JSON.parse(line) as LogLine)
    } catch {
      // a partial line; the next poll sees it whole
    }
  }
  return lines
}

export const accessLines = (app: AppServer, requestId?: string) =>
  jsonLines(app).filter((l) => l.kind === 'access' && (requestId === undefined || l.request_id === requestId))

/** Polls until `predicate` holds for the captured lines (logs are written after the response). */
export async function waitForLogs(app: AppServer, predicate: (lines: LogLine[]) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!predicate(jsonLines(app))) {
    if (Date.now() > deadline)
      throw new Error(`log condition not met within ${timeoutMs} ms; lines:\n${app.output.slice(-30).join('\n')}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return jsonLines(app)
}
