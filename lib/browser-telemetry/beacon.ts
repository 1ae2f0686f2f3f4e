// The browser's side of POST /api/browser-events: entries are queued and sent together, when the
// page is hidden or left (the moment web-vitals reports LCP, CLS and INP, and the last moment a
// page can still send), when a batch is full, or a few seconds after the first one waits (so a
// development error shows in the inspector while the page is still open).
import { BROWSER_EVENTS_PATH, MAX_BODY_BYTES, MAX_ENTRIES } from './limits'
import type { BrowserEntry } from './schema'

/** How long an entry may wait for others before it is sent anyway. */
const SEND_AFTER_MS = 5000

const queue: BrowserEntry[] = []
let timer: ReturnType<typeof setTimeout> | undefined
let listening = false

function post(body: string): void {
  // sendBeacon survives the page being unloaded; a JSON Blob keeps the content type the server
  // wants (same origin, so no CORS preflight). It refuses what the browser will not queue (over
  // its budget): fetch with keepalive has the same guarantee, within 64 KiB.
  const blob = new Blob([body], { type: 'application/json' })
  if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(BROWSER_EVENTS_PATH, blob)) return
  void fetch(BROWSER_EVENTS_PATH, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json' },
    keepalive: true,
    credentials: 'same-origin',
  }).catch(() => {}) // telemetry about the page must never become an error of the page
}

/** The server counts bytes, not characters: an error message in another script is longer in UTF-8. */
const bytes = (body: string) => new TextEncoder().encode(body).length

/** Sends every queued entry now, in as many beacons as the server's caps need. */
export function flush(): void {
  clearTimeout(timer)
  timer = undefined
  while (queue.length > 0) {
    let batch = queue.splice(0, MAX_ENTRIES)
    let body = JSON.stringify({ entries: batch })
    // Too large for one beacon (long error stacks): halve it until it fits; a lone entry that
    // still does not fit is dropped rather than refused by the server over and over.
    while (bytes(body) > MAX_BODY_BYTES && batch.length > 1) {
      queue.unshift(...batch.slice(batch.length >> 1))
      batch = batch.slice(0, batch.length >> 1)
      body = JSON.stringify({ entries: batch })
    }
    if (bytes(body) <= MAX_BODY_BYTES) post(body)
  }
}

function listen(): void {
  if (listening) return
  listening = true
  // pagehide covers the bfcache and Safari, which does not always fire visibilitychange on unload.
  // On the document, so it runs after web-vitals' own listener (window, capture phase) has
  // reported the final LCP, CLS and INP into the queue.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') flush()
  })
  window.addEventListener('pagehide', flush)
}

/** Queues one entry for the next beacon. */
export function queueEntry(entry: BrowserEntry): void {
  listen()
  queue.push(entry)
  if (queue.length >= MAX_ENTRIES) flush()
  else timer ??= setTimeout(flush, SEND_AFTER_MS)
}
