// Session Replay in a chunk of its own: sentry-browser.ts imports this with `import()` once the
// page is idle, so the replay code never weighs on the first load.
export { replayIntegration } from '@sentry/nextjs'
