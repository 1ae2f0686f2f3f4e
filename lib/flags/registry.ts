// Every feature flag and its safe default: the value used when the backend is off, down,
// slow or does not know the flag. Flags are not secrets: their values reach the browser.
export const FLAGS = {
  customer_history: {
    default: true,
    description: 'The "Who changed this?" history panel on a customer page.',
  },
} as const satisfies Record<string, { default: boolean; description: string }>

export type FlagName = keyof typeof FLAGS
export type FlagValues = Record<FlagName, boolean>

export const FLAG_NAMES = Object.keys(FLAGS) as FlagName[]

export function defaultFlagValues(): FlagValues {
  return Object.fromEntries(FLAG_NAMES.map((name) => [name, FLAGS[name].default])) as FlagValues
}

/** Parses FEATURE_FLAGS ("name=true,other=false"); unknown names and bad values are reported. */
export function parseFlagOverrides(text: string | undefined): { values: Partial<FlagValues>; problems: string[] } {
  const values: Partial<FlagValues> = {}
  const problems: string[] = []
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', raw = ''] = part.split('=').map((s) => s.trim())
    if (!(name in FLAGS)) problems.push(`unknown flag "${name}"`)
    else if (raw !== 'true' && raw !== 'false') problems.push(`"${name}" must be true or false, not "${raw}"`)
    else values[name as FlagName] = raw === 'true'
  }
  return { values, problems }
}
