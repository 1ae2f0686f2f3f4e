// A span for every database query, for both drivers (postgres.js and PGlite). Drizzle has no
// tracing hook of its own, but every query of every driver, transactions included, runs through
// `PgPreparedQuery#queryWithCache`, so wrapping that one method covers them all (a transaction's
// own BEGIN does not, so `transaction()` is wrapped too, for the mark below). The span carries
// the SQL text with its `$n` placeholders, never the bound values. The same wrapper counts each
// query of a request and its time, for the request's access line, and marks the request when a
// query fails for want of the database, so the Node hook answers its 500 as 503 (lib/request's
// noteDependencyUnavailable; a page cannot set its own status). A failed query's error leaves it
// without its bound values (query-errors.ts), before the span or anyone else sees it. On
// PostgreSQL it also bounds the wait for each answer, and each transaction's (deadline.ts).
import { PgDatabase, PgPreparedQuery } from 'drizzle-orm/pg-core'
import { currentRequestContext, noteDatabaseQuery, noteDependencyUnavailable } from '../request'
import { hasActiveSpan, inSpan } from '../traces'
import { noAnswerDeadline, withinDeadline } from './deadline'
import { withoutBoundValues } from './query-errors'
import { isDatabaseUnavailable } from './unavailable'

type QueryWithCache = (
  this: PgPreparedQuery<never>,
  queryString: string,
  params: unknown[],
  query: () => Promise<unknown>,
) => Promise<unknown>

const INSTALLED = Symbol.for('signalbox.dbQuerySpans')

/** `select "id" from "customers" where …` → operation SELECT, table customers. */
export function describeQuery(sql: string): { operation: string; table: string | undefined } {
  const operation = (/^\s*(\w+)/.exec(sql)?.[1] ?? 'QUERY').toUpperCase()
  const table = /\b(?:from|into|update|join)\s+"?([A-Za-z_][\w]*)"?/i.exec(sql)?.[1]
  return { operation, table }
}

export function traceDatabaseQueries(): void {
  const proto = PgPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache; [INSTALLED]?: true }
  if (proto[INSTALLED]) return
  proto[INSTALLED] = true
  const drizzleQueryWithCache = proto.queryWithCache
  const original: QueryWithCache = function (queryString, params, query) {
    // A query inside a transaction runs on the transaction's client, which has no deadline of its
    // own: the transaction's, below, bounds it.
    const deadline = noAnswerDeadline((this as unknown as { client?: unknown }).client)
    const answer = drizzleQueryWithCache.call(this, queryString, params, query)
    return (deadline === undefined ? answer : withinDeadline(answer, deadline)).catch((error: unknown) => {
      throw withoutBoundValues(error)
    })
  }
  proto.queryWithCache = function queryWithCache(queryString, params, query) {
    // Outside a request (start-up migrations, scripts) there is nothing to count or attach to.
    const inRequest = currentRequestContext() !== undefined
    const traced = hasActiveSpan()
    if (!inRequest && !traced) return original.call(this, queryString, params, query)
    const started = performance.now()
    const result = traced ? spanFor(this, queryString, params, query) : original.call(this, queryString, params, query)
    if (!inRequest) return result
    // Failed queries count too: they took the time. The count is the access line's (db_queries).
    return result.then(
      (value) => {
        noteDatabaseQuery(performance.now() - started)
        return value
      },
      (error: unknown) => {
        noteDatabaseQuery(performance.now() - started)
        if (isDatabaseUnavailable(error)) noteDependencyUnavailable('database')
        throw error
      },
    )
  }

  // A transaction's BEGIN is sent by the driver itself, not through the method above: a
  // transaction that cannot start (no connection) marks its request here.
  const transactionProto = PgDatabase.prototype as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }
  const drizzleTransaction = transactionProto.transaction
  transactionProto.transaction = function transaction(...args) {
    const deadline = noAnswerDeadline((this as { session?: { client?: unknown } }).session?.client)
    const outcome = drizzleTransaction.apply(this, args)
    return (deadline === undefined ? outcome : withinDeadline(outcome, deadline)).catch((error: unknown) => {
      if (isDatabaseUnavailable(error)) noteDependencyUnavailable('database')
      throw error
    })
  }

  function spanFor(
    self: PgPreparedQuery<never>,
    queryString: string,
    params: unknown[],
    query: () => Promise<unknown>,
  ) {
    const { operation, table } = describeQuery(queryString)
    return inSpan(
      table ? `${operation} ${table}` : operation,
      {
        kind: 'client',
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          ...(table ? { 'db.collection.name': table } : {}),
          'db.query.text': queryString,
        },
      },
      () => original.call(self, queryString, params, query),
    )
  }
}
