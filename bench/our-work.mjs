// Our per-request work outside Next, in µs of CPU, measured directly rather than read off a
// profile (the profiler slows what it samples, and by a different factor on different days).
// bench/our-work-server.ts runs a hooked and an unhooked node:http server side by side in one
// child process; autocannon sends each the same number of requests in interleaved rounds, and
// the child's process.cpuUsage() before and after each load gives CPU per request. The
// difference is what the hook, the request context, the access line and the metrics cost.
import { fork } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { ROOT, median } from './harness.mjs'

/**
 * `cwd`: a production build's folder (its routes manifest names the routes). Returns µs of CPU
 * per request for each server, per round, and the median of the per-round differences.
 * `logLevel` `warn` leaves the access line out.
 */
export async function measureOurWork({
  cwd,
  rounds = 5,
  requests = 20_000,
  connections = 10,
  warmup = 5_000,
  logLevel = 'info',
}) {
  const child = fork(path.join(ROOT, 'bench', 'our-work-server.ts'), [], {
    cwd,
    // Production: pino writes JSON lines to stdout, which goes nowhere here, as to a log shipper.
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: logLevel },
    execArgv: ['--conditions=react-server', '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  try {
    const [{ ports }] = await once(child, 'message')
    const ask = async () => {
      child.send('cpu')
      const [answer] = await once(child, 'message')
      return answer
    }
    const cpu = async () => {
      const { cpu: usage } = await ask()
      return usage.user + usage.system
    }
    const send = (port, amount) =>
      autocannon({ url: `http://127.0.0.1:${port}/api/health`, amount, connections }).then((result) => {
        const failed = result.non2xx + result.errors + result.timeouts
        if (failed > 0) throw new Error(`our-work bench: ${failed} failed responses`)
        return result.requests.total
      })
    let observedSent = 0
    for (const [name, port] of Object.entries(ports)) {
      const total = await send(port, warmup)
      if (name === 'observed') observedSent += total
    }
    const perRequest = { observed: [], control: [] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['observed', 'control'] : ['control', 'observed']
      for (const name of order) {
        const before = await cpu()
        const total = await send(ports[name], requests)
        perRequest[name].push(((await cpu()) - before) / total)
        if (name === 'observed') observedSent += total
      }
    }
    // The harness checks itself: a hook that missed requests, or saw the control's, would make
    // the difference meaningless.
    const { finished } = await ask()
    if (finished !== observedSent)
      throw new Error(`our-work bench: the hook finished ${finished} requests, ${observedSent} were sent to it`)
    const differences = perRequest.observed.map((value, i) => value - perRequest.control[i])
    return { ...perRequest, differences, ours: median(differences) }
  } finally {
    if (child.connected) child.disconnect()
    if (child.exitCode === null) await once(child, 'exit')
  }
}

// `node bench/our-work.mjs`: the measurement alone, on the working tree's last `next build`,
// with the Node that runs it (about 20 s). `LOG_LEVEL=warn node bench/our-work.mjs` leaves
// the access line out, to see what it costs.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    console.error('bench/our-work.mjs measures the last production build: run `npm run build` first.')
    process.exit(1)
  }
  const logLevel = process.env.LOG_LEVEL || 'info'
  const { observed, control, differences, ours } = await measureOurWork({ cwd: ROOT, logLevel })
  const row = (values) => values.map((value) => value.toFixed(1)).join(' / ')
  console.log(`Node ${process.version}, LOG_LEVEL=${logLevel}, µs of CPU per request by round:`)
  console.log(`  hooked:      ${row(observed)}`)
  console.log(`  unobserved:  ${row(control)}`)
  console.log(`  ours:        ${row(differences)}  → median ${ours.toFixed(1)} (target: under 60)`)
}
