// Password rules and hashing. bcryptjs is pure JavaScript: it installs on every platform and
// needs no native build, which matters for a starter cloned onto any laptop.
import bcrypt from 'bcryptjs'
import { z } from 'zod'

export const PASSWORD_MIN_LENGTH = 10
/** bcrypt only reads the first 72 bytes; longer passwords would be silently truncated. */
export const PASSWORD_MAX_BYTES = 72
const COST = 12

export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters`)
  .refine((value) => new TextEncoder().encode(value).length <= PASSWORD_MAX_BYTES, {
    message: `Use at most ${PASSWORD_MAX_BYTES} bytes`,
  })

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST)
}

/**
 * A real bcrypt hash at the same cost, of a random secret nobody kept, fixed at build time: an
 * unknown email pays the same comparison as a wrong password from the very first attempt (a
 * hash made lazily would cost the first unknown email an extra hash, and making it at start-up
 * would cost every cold start). tests/unit/password.test.ts holds its cost to COST.
 */
export const DUMMY_HASH = '$2b$12$cHBtxvn3tZIT9brTh1Id7u8xExVQsm0at743C.J5imXmYdcgX8rOi'
export const HASH_COST = COST

/**
 * Compares `password` with `hash`. With no hash (unknown email, OAuth-only user) it still
 * spends the time of one comparison, so response time does not reveal whether an account
 * exists.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    await bcrypt.compare(password, DUMMY_HASH)
    return false
  }
  return bcrypt.compare(password, hash)
}
