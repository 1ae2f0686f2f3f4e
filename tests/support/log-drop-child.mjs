// Child process for tests/unit/log-drop.test.ts: logs a burst larger than the destination may
// hold while nothing reads its stdout, counting sonic-boom's 'drop' events as lib/logs does, then
// reports the count on stderr and exits once the rest is written.
import pino from 'pino'
const options = JSON.parse(process.argv[2])
const lines = Number(process.argv[3])
const destination = pino.destination(options)
let dropped = 0
destination.on('drop', () => dropped++)
const logger = pino(destination)
console.log('{"msg":"started"}') // touches process.stdout, which makes the pipe non-blocking, as in the server
setTimeout(() => {
  for (let i = 0; i < lines; i++) logger.info({ i, pad: 'x'.repeat(1000) }, 'burst')
  process.stderr.write(`${JSON.stringify({ dropped, heapUsed: process.memoryUsage().heapUsed })}\n`)
  logger.flush(() => process.exit(0))
}, 10)
