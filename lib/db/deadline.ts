// A bound on waiting for PostgreSQL's answer, on our side of the connection. The app role's
// statement_timeout (scripts/app-role.mjs) makes the server stop a statement itself, but a server
// out of reach without a reset (a network partition, a failover that leaves the old address
// silent) cannot: the socket keeps the unanswered statement until TCP gives up, about 15 minutes
// on Linux, and its request waited that long. Past the deadline the caller is answered as for a
// lost connection (lib/db/unavailable.ts: a 503, and "may have committed", since the statement may
// have reached the server and may still run); the statement itself is left to its connection,
// which postgres.js closes when TCP does.
/**
 * statement_timeout (10 s) and a margin, so a server that can answer does so first: its own
 * timeout is the better outcome, as that statement certainly changed nothing.
 */
export const NO_ANSWER_AFTER_MS = 15_000

const DEADLINE = Symbol.for('signalbox.dbNoAnswerDeadline')

type Holder = { [DEADLINE]?: number }

export class DatabaseNoAnswer extends Error {
  /** Read by isDatabaseUnavailable, beside the drivers' own connection codes. */
  readonly code = 'NO_ANSWER'
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`)
    this.name = 'DatabaseNoAnswer'
  }
}

/** Gives a postgres.js client (and so every query and transaction started on it) a deadline. */
export function setNoAnswerDeadline(client: object, ms: number): void {
  Object.defineProperty(client, DEADLINE, { value: ms })
}

/** The deadline of the client `owner` holds (a prepared query's `client`, a database's `session.client`). */
export function noAnswerDeadline(client: unknown): number | undefined {
  return (client as Holder | undefined)?.[DEADLINE]
}

/**
 * `work`, or a DatabaseNoAnswer once `ms` have passed without its answer. The timer does not
 * keep the process alive; an answer after the deadline is dropped (its failure included).
 */
export function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DatabaseNoAnswer(ms)), ms)
    timer.unref()
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
