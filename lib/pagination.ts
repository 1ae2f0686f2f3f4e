// Paging a list, one rule for every list that pages (customers, the audit trail): which page
// a `?page=` asks for, and which page of how many is shown.

/** `?page=3` → 3; anything else → 1. */
export function pageFrom(value: string | string[] | undefined): number {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return Number.isInteger(n) && n > 0 ? n : 1
}

/**
 * How many pages `total` rows fill, `pageSize` to a page (an empty list still has page 1), and
 * `requested` brought into 1…pageCount: a fraction is rounded down, anything not a number is 1.
 */
export function clampPage(
  requested: number | undefined,
  total: number,
  pageSize: number,
): { page: number; pageCount: number } {
  const pageCount = Math.max(1, Math.ceil(total / pageSize))
  const page = Math.min(Math.max(1, Math.floor(requested ?? 1) || 1), pageCount)
  return { page, pageCount }
}
