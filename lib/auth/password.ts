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

let dummyHash: Promise<string> | undefined

/**
 * Compares `password` with `hash`. With no hash (unknown email, OAuth-only user) it still
 * spends the time of one comparison, so response time does not reveal whether an account
 * exists.
 */
export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  if (!hash) {
    dummyHash ??= bcrypt.hash('signalbox-timing-equaliser', COST)
    await bcrypt.compare(password, await dummyHash)
    return false
  }
  return bcrypt.compare(password, hash)
}
