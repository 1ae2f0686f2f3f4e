/** `db.execute` returns `{ rows }` from PGlite and an array from postgres.js; callers want rows. */
export function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? [])
}
