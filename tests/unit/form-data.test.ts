import { describe, expect, it } from 'vitest'
import { textField } from '@/lib/form-data'

describe('textField', () => {
  const form = new FormData()
  form.set('email', 'ada@example.com')
  form.set('avatar', new Blob(['not text']), 'avatar.png')

  it('reads a text field as sent', () => {
    expect(textField(form, 'email')).toBe('ada@example.com')
  })

  it("reads a missing field or a file as ''", () => {
    expect(textField(form, 'name')).toBe('')
    expect(textField(form, 'avatar')).toBe('')
  })
})

describe('textField on what a hand-made action request passes instead of a form', () => {
  it.each([undefined, null, 1, 'email', { email: 'ada@example.com' }, ['email']])(
    "reads %j as an empty form ('')",
    (value) => {
      expect(textField(value as unknown as FormData, 'email')).toBe('')
    },
  )
})
