// Scenario 6's measurements of the server process: its resident set from /proc (what the kernel
// charges it, native memory included), and what prom-client's default metrics say at
// /api/metrics (the V8 heap, the event-loop delay since the last scrape, the audit backlog).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export type Sample = {
  /** ms since the load began. */
  at: number
  rssBytes: number
  /** prom-client's own reading of the resident set, to check the right process is read. */
  rssReported: number
  heapUsedBytes: number
  heapTotalBytes: number
  /** nodejs_eventloop_lag_p50/p99_seconds: over the interval since the previous scrape (prom-client resets it). */
  eldP50Seconds: number
  eldP99Seconds: number
  auditPending: number
  /** The heap right after a full collection the test asked for (support/inspector.ts), on some samples. */
  liveHeapBytes?: number
  /** How long that collection held the process. */
  gcMs?: number
  /** A forced collection ran in the interval this sample's delay figures cover: they are left out. */
  afterForcedGc?: boolean
}

/** VmRSS of `pid` in bytes. */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  if (!kib) throw new Error(`no VmRSS for ${pid}`)
  return Number(kib) * 1024
}

/** The processes whose parent is `pid`: `next start` serves in its own process, and this says so. */
export function childrenOf(pid: number): number[] {
  const children: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry))
    } catch {
      // ended meanwhile
    }
  }
  return children
}

export async function sample(url: string, token: string, pid: number, at: number): Promise<Sample> {
  const rssBytes = residentBytes(pid)
  const response = await fetch(`${url}/api/metrics`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 200) throw new Error(`/api/metrics answered ${response.status}`)
  const text = await response.text()
  const value = (name: string) => {
    const found = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1]
    if (found === undefined) throw new Error(`/api/metrics has no ${name}`)
    return Number(found)
  }
  return {
    at,
    rssBytes,
    rssReported: value('process_resident_memory_bytes'),
    heapUsedBytes: value('nodejs_heap_size_used_bytes'),
    heapTotalBytes: value('nodejs_heap_size_total_bytes'),
    eldP50Seconds: value('nodejs_eventloop_lag_p50_seconds'),
    eldP99Seconds: value('nodejs_eventloop_lag_p99_seconds'),
    auditPending: value('audit_log_writes_pending'),
  }
}

/** Least-squares slope of `y` over `at`, per minute: every sample counts, not just the ends. */
export function slopePerMinute(points: { at: number; y: number }[]): number {
  const n = points.length
  if (n < 2) return NaN
  const meanT = points.reduce((sum, p) => sum + p.at, 0) / n
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n
  let covariance = 0
  let variance = 0
  for (const p of points) {
    covariance += (p.at - meanT) * (p.y - meanY)
    variance += (p.at - meanT) ** 2
  }
  return (covariance / variance) * 60_000
}

export const MiB = (bytes: number) => bytes / 1024 / 1024

/** Every sample as CSV, warm-up included: the curve behind the figures. */
export function writeSamples(file: string, samples: Sample[]): void {
  const optional = (value: number | undefined, digits = 1) => (value === undefined ? '' : value.toFixed(digits))
  mkdirSync(path.dirname(file), { recursive: true })
  const rows = samples.map((s) =>
    [
      (s.at / 1000).toFixed(1),
      MiB(s.rssBytes).toFixed(1),
      MiB(s.heapUsedBytes).toFixed(1),
      MiB(s.heapTotalBytes).toFixed(1),
      optional(s.liveHeapBytes === undefined ? undefined : MiB(s.liveHeapBytes)),
      optional(s.gcMs, 0),
      (s.eldP50Seconds * 1000).toFixed(1),
      (s.eldP99Seconds * 1000).toFixed(1),
      s.afterForcedGc ? 1 : 0,
      s.auditPending,
    ].join(','),
  )
  const header =
    'seconds,rss_mib,heap_used_mib,heap_total_mib,live_heap_mib,forced_gc_ms,eld_p50_ms,eld_p99_ms,after_forced_gc,audit_pending'
  writeFileSync(file, [header, ...rows].join('\n') + '\n')
}
