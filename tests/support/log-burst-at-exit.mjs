// Child process for tests/unit/log-flush-at-exit.test.ts: logs a burst larger than a pipe holds
// through pino.destination(<options from argv>), then, as lib/shutdown.ts does, one more line,
// logger.flush (flushLogs's wait, at most 500 ms) and process.exit.
import pino from 'pino'
const options = JSON.parse(process.argv[2])
const lines = Number(process.argv[3])
const logger = pino(pino.destination(options))
console.log('{"msg":"started"}') // touches process.stdout, which makes the pipe non-blocking, as in the server
setTimeout(() => {
  for (let i = 0; i < lines; i++) logger.info({ i, pad: 'x'.repeat(500) }, 'burst')
  setTimeout(() => {
    logger.info('last')
    const exit = () => process.exit(0)
    const timer = setTimeout(exit, 500)
    logger.flush(() => {
      clearTimeout(timer)
      exit()
    })
  }, 50)
}, 10)
