// Reading the fields of a submitted form (a server action's FormData), shared by the auth
// actions (app/(auth)/actions.ts) and the customer forms (lib/customers/form.ts).

/** The field's text; '' when the field is missing or is a file. */
export function textField(formData: FormData, name: string): string {
  const value = formData.get(name)
  return typeof value === 'string' ? value : ''
}
