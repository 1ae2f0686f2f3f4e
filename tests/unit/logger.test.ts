// The real pino pipeline, captured in memory: what would reach stdout.
import { Writable } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { requestContextStorage } from '@/lib/request/context'
import { createLogger } from '@/lib/logs/logger'

function capture() {
  const lines: Record<string, unknown>[] = []
  const raw: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      raw.push(String(chunk))
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { logger: createLogger(stream, 'trace'), lines, raw }
}

describe('logger', () => {
  it('writes JSON with service, env, version and a named level', () => {
    const { logger, lines } = capture()
    logger.info({ action: 'customer.created', subject_id: 'c1' }, 'created')
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: 'signalbox',
      env: 'test',
      action: 'customer.created',
      msg: 'created',
    })
    expect(lines[0]).toHaveProperty('version')
    expect(lines[0]).toHaveProperty('time')
  })

  it('stamps request_id and user_id from the request context on every line', () => {
    const { logger, lines } = capture()
    requestContextStorage.run({ requestId: 'req-1', requestIdSource: 'server', startedAt: 0 }, () => {
      logger.info('before sign-in')
      const context = requestContextStorage.getStore()!
      context.userId = 'user-9'
      logger.child({ component: 'x' }).warn('after sign-in')
    })
    logger.info('outside')
    expect(lines[0]).toMatchObject({ request_id: 'req-1' })
    expect(lines[0]).not.toHaveProperty('user_id')
    expect(lines[1]).toMatchObject({ request_id: 'req-1', user_id: 'user-9', component: 'x' })
    expect(lines[2]).not.toHaveProperty('request_id')
  })

  it("a line's own fields win over the context's, and the caller's object is left as it was", () => {
    const { logger, lines } = capture()
    const line = { kind: 'access', request_id: 'req-of-the-line', user_id: 'user-of-the-line' }
    requestContextStorage.run({ requestId: 'req-2', requestIdSource: 'server', startedAt: 0, userId: 'u' }, () => {
      logger.info(line, 'request')
    })
    expect(lines[0]).toMatchObject({ kind: 'access', request_id: 'req-of-the-line', user_id: 'user-of-the-line' })
    expect(line).toEqual({ kind: 'access', request_id: 'req-of-the-line', user_id: 'user-of-the-line' })
  })

  it('never writes planted secrets, in bindings, objects, errors or headers', () => {
    const { logger, raw } = capture()
    const planted = ['pw-planted-123', 'tok-planted-456', 'cookie-planted-789', 'key-planted-000']
    logger.child({ session: 'cookie-planted-789' }).info(
      {
        body: { email: 'a@b.c', password: 'pw-planted-123' },
        headers: { authorization: 'Bearer tok-planted-456', cookie: 'sid=cookie-planted-789' },
        config: { api_key: 'key-planted-000' },
        err: new Error('upstream refused Bearer tok-planted-456'),
      },
      'careless line',
    )
    logger.child({ component: 'outer' }).child({ token: 'tok-planted-456' }).info('nested child')
    expect(JSON.parse(raw.at(-1)!)).toMatchObject({ component: 'outer', token: '[REDACTED]' })
    const output = raw.join('')
    for (const secret of planted) expect(output).not.toContain(secret)
    expect(output).toContain('[REDACTED]')
  })

  it('redacts the message too, not only the fields: credentials, bound query params and query values', () => {
    const { logger, raw } = capture()
    const error = new Error(
      'Failed query: select * from users where email = $1\nparams: ada@planted.example,tok-planted-456',
    )
    logger.error({ err: error }, `${error.name}: ${error.message}`)
    logger.warn('upstream answered 401 to Bearer tok-planted-456')
    logger.info('redirecting to /reset?token=tok-planted-456&step=2')
    const output = raw.join('')
    expect(output).not.toContain('tok-planted-456')
    expect(output).not.toContain('ada@planted.example')
    expect(JSON.parse(raw[2]!)).toMatchObject({ msg: 'redirecting to /reset?token=&step=' })
  })
})

describe('LOG_LEVEL', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
    vi.resetModules()
  })

  /** A logger as the process would make it under this NODE_ENV and LOG_LEVEL (read at import), and what it writes. */
  async function loggerUnder(nodeEnv: string, logLevel: string | undefined) {
    vi.stubEnv('NODE_ENV', nodeEnv)
    vi.stubEnv('LOG_LEVEL', logLevel) // undefined removes the suite's LOG_LEVEL=silent
    vi.resetModules()
    const { createLogger: fresh } = await import('@/lib/logs/logger')
    const written: string[] = []
    const logger = fresh(
      new Writable({
        write(chunk, _encoding, done) {
          written.push(JSON.parse(String(chunk)).level)
          done()
        },
      }),
    )
    logger.trace('t')
    logger.debug('d')
    logger.info('i')
    logger.warn('w')
    return { level: logger.level, written }
  }

  it('unset (or empty, as .env.example leaves it), the default is info in production and debug in development', async () => {
    for (const unset of [undefined, '', ' ']) {
      expect(await loggerUnder('production', unset)).toEqual({ level: 'info', written: ['info', 'warn'] })
      expect(await loggerUnder('development', unset)).toEqual({ level: 'debug', written: ['debug', 'info', 'warn'] })
    }
  })

  it('a LOG_LEVEL that is set wins over either default', async () => {
    expect(await loggerUnder('production', 'debug')).toEqual({ level: 'debug', written: ['debug', 'info', 'warn'] })
    expect(await loggerUnder('development', 'warn')).toEqual({ level: 'warn', written: ['warn'] })
    expect(await loggerUnder('production', 'silent')).toEqual({ level: 'silent', written: [] })
  })

  it('an unknown level does not crash at import, so the env check can name the variable', async () => {
    vi.stubEnv('LOG_LEVEL', 'loud')
    vi.resetModules()
    const { createLogger: fresh } = await import('@/lib/logs/logger')
    expect(fresh(new Writable({ write: (_c, _e, done) => done() })).level).toBe('info')
    const { parseEnv, EnvError } = await import('@/lib/env')
    expect(() => parseEnv()).toThrow(EnvError)
    expect(() => parseEnv()).toThrow(/^LOG_LEVEL /)
  })
})
