import bcrypt from 'bcryptjs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DUMMY_HASH, HASH_COST, hashPassword, verifyPassword } from '@/lib/auth/password'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('verifyPassword without an account', () => {
  it('compares against a ready-made hash of the same cost, so the first unknown email pays no extra hash', async () => {
    const hash = vi.spyOn(bcrypt, 'hash')
    const compare = vi.spyOn(bcrypt, 'compare')
    expect(await verifyPassword('correct horse battery', undefined)).toBe(false)
    expect(await verifyPassword('correct horse battery', null)).toBe(false)
    expect(hash).not.toHaveBeenCalled()
    expect(compare.mock.calls.map(([, against]) => against)).toEqual([DUMMY_HASH, DUMMY_HASH])
  })

  it('uses the cost real hashes are made with (a cheaper dummy would tell unknown emails apart)', async () => {
    expect(bcrypt.getRounds(DUMMY_HASH)).toBe(HASH_COST)
    expect(bcrypt.getRounds(await hashPassword('correct horse battery'))).toBe(HASH_COST)
  })
})
