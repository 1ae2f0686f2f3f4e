import Link from 'next/link'

export function Pagination({ page, pageCount, path }: { page: number; pageCount: number; path: string }) {
  if (pageCount <= 1) return null
  const href = (n: number) => (n === 1 ? path : `${path}?page=${n}`)
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center gap-4 text-sm">
      {page > 1 ? (
        <Link className="text-emerald-700 underline" href={href(page - 1)}>
          Previous
        </Link>
      ) : (
        <span className="text-stone-400">Previous</span>
      )}
      <span className="text-stone-600">
        Page {page} of {pageCount}
      </span>
      {page < pageCount ? (
        <Link className="text-emerald-700 underline" href={href(page + 1)}>
          Next
        </Link>
      ) : (
        <span className="text-stone-400">Next</span>
      )}
    </nav>
  )
}
