// The one rule for an email address mail can be delivered to, shared by sign-up (lib/auth) and
// customers (lib/customers). Each caller trims, and chooses whether to lowercase, before it.
import { z } from 'zod'

/**
 * The longest address mail can be sent to (RFC 5321's 256-octet path, less its angle brackets).
 * Longer was a database error, not a form error: PostgreSQL refuses an index entry over 2704
 * bytes, so a 5000-character address made sign-up a 500.
 */
export const EMAIL_MAX_LENGTH = 254
/** RFC 5321 §4.5.3.1.1: servers need not accept a longer part before the @, so mail to it may never arrive. */
export const EMAIL_LOCAL_PART_MAX_LENGTH = 64
/** RFC 1035 §2.3.4: a longer label cannot be in DNS, so no such domain exists. */
export const EMAIL_DOMAIN_LABEL_MAX_LENGTH = 63

const INVALID = 'Enter a valid email address'

// zod's email format (4.6) limits neither part's length; it does allow only ASCII, so from the
// second pipe on a character is an octet and the limits above, in octets, count characters.
const partsFit = z
  .string()
  .refine(
    (address) => address.slice(0, address.lastIndexOf('@')).length <= EMAIL_LOCAL_PART_MAX_LENGTH,
    `The part before @ can be at most ${EMAIL_LOCAL_PART_MAX_LENGTH} characters`,
  )
  .refine(
    (address) =>
      address
        .slice(address.lastIndexOf('@') + 1)
        .split('.')
        .every((label) => label.length <= EMAIL_DOMAIN_LABEL_MAX_LENGTH),
    `Each part of the domain between dots can be at most ${EMAIL_DOMAIN_LABEL_MAX_LENGTH} characters`,
  )

/**
 * A deliverable address, checked in steps so a form shows one problem at a time: the whole
 * length first (it bounds the work of the rest), then the format, then each part's length.
 * Anything not a string is "Enter a valid email address" too (a JSON body may send a number).
 */
export const emailAddressSchema = z
  .string(INVALID)
  .max(EMAIL_MAX_LENGTH, `Use at most ${EMAIL_MAX_LENGTH} characters`)
  .pipe(z.email(INVALID))
  .pipe(partsFit)
