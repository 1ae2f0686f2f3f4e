import { describe, expect, it } from 'vitest'
import { clampPage, pageFrom } from '@/lib/pagination'

describe('pageFrom', () => {
  it('reads a positive whole ?page=', () => {
    expect(pageFrom('3')).toBe(3)
    expect(pageFrom(['2', '5'])).toBe(2)
  })

  it('reads anything else as page 1', () => {
    for (const value of [undefined, '', '0', '-2', '1.5', 'abc', []]) expect(pageFrom(value)).toBe(1)
  })
})

describe('clampPage', () => {
  it('counts the pages, one for an empty list', () => {
    expect(clampPage(1, 0, 20)).toEqual({ page: 1, pageCount: 1 })
    expect(clampPage(1, 20, 20)).toEqual({ page: 1, pageCount: 1 })
    expect(clampPage(1, 21, 20)).toEqual({ page: 1, pageCount: 2 })
  })

  it('keeps a page that exists', () => {
    expect(clampPage(2, 45, 20)).toEqual({ page: 2, pageCount: 3 })
  })

  it('shows the last page for one past the end', () => {
    expect(clampPage(99, 45, 20)).toEqual({ page: 3, pageCount: 3 })
    expect(clampPage(Infinity, 45, 20)).toEqual({ page: 3, pageCount: 3 })
  })

  it('shows page 1 for none, zero, a negative number or not a number', () => {
    for (const requested of [undefined, 0, -4, Number.NaN]) expect(clampPage(requested, 45, 20).page).toBe(1)
  })

  it('rounds a fraction down', () => {
    expect(clampPage(2.7, 45, 20).page).toBe(2)
  })
})
