// .env.example is what a new user copies: it must name every variable the README documents and
// every variable lib/env reads, and set none of them (an example never carries a value).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ENV_VARS } from '@/lib/env'

const example = readFileSync('.env.example', 'utf8')
const assigned = new Map(
  example
    .split('\n')
    .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const),
)

/** The names in the first column of the README's "Environment variables" table. */
function readmeVariables(): string[] {
  const readme = readFileSync('README.md', 'utf8')
  const section = readme.slice(
    readme.indexOf('## Environment variables'),
    readme.indexOf('\n## ', readme.indexOf('## Environment variables') + 1),
  )
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!))
}

describe('.env.example', () => {
  it('names every variable of the README’s table, except the one Vercel sets', () => {
    const names = readmeVariables()
    expect(names.length).toBeGreaterThan(20)
    for (const name of names.filter((n) => n !== 'VERCEL')) expect(assigned.has(name), name).toBe(true)
    expect(assigned.has('VERCEL')).toBe(false)
  })

  it('names every variable lib/env validates', () => {
    for (const name of Object.keys(ENV_VARS).filter((n) => n !== 'VERCEL')) expect(assigned.has(name), name).toBe(true)
  })

  it('carries no values', () => {
    expect([...assigned].filter(([, value]) => value !== '')).toEqual([])
  })
})
