// Reading the fields of a submitted form (a server action's FormData), shared by the auth
// actions (app/(auth)/actions.ts) and the customer forms (lib/customers/form.ts).

/**
 * The field's text; '' when the field is missing or is a file. An action's parameters are
 * typed by our own client's promise, not by what arrives: a hand-made request can pass anything
 * (no argument, a number), and it then reads as an empty form, which the form's checks refuse.
 */
export function textField(formData: FormData, name: string): string {
  const value: unknown = formData instanceof FormData ? formData.get(name) : undefined
  return typeof value === 'string' ? value : ''
}
