const format = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** A timestamp rendered on the server, in UTC so every reader (and every log) agrees. */
export function Time({ value }: { value: Date }) {
  return (
    <time dateTime={value.toISOString()} title={value.toISOString()}>
      {format.format(value)} UTC
    </time>
  )
}
