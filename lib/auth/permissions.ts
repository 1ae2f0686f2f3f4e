// What each role may do: the one table every mutation consults (through `can`), and the UI
// reads to hide what the role cannot do. The server checks whatever the UI showed.
export const ROLES = ['owner', 'member'] as const
export type Role = (typeof ROLES)[number]

const PERMISSIONS = {
  'customer.create': ['owner', 'member'],
  'customer.update': ['owner', 'member'],
  'customer.delete': ['owner'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof PERMISSIONS

export function can(actor: { role: Role }, action: Permission): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(actor.role)
}

/** A signed-in member asked for something their role does not allow. */
export class NotPermitted extends Error {
  override name = 'NotPermitted'
  constructor(readonly action: Permission) {
    super(`not permitted: ${action}`)
  }
}

/** Throws NotPermitted unless the actor's role allows `action`. */
export function assertCan(actor: { role: Role }, action: Permission): void {
  if (!can(actor, action)) throw new NotPermitted(action)
}
