import { describe, expect, it } from 'vitest'
import { DEFAULT_PGLITE_DIR, databaseTargetFrom, describeTarget } from '@/lib/db/url'

describe('databaseTargetFrom', () => {
  it.each([
    [undefined, { driver: 'pglite', dataDir: DEFAULT_PGLITE_DIR }],
    ['', { driver: 'pglite', dataDir: DEFAULT_PGLITE_DIR }],
    ['  ', { driver: 'pglite', dataDir: DEFAULT_PGLITE_DIR }],
    ['pglite:memory', { driver: 'pglite', dataDir: undefined }],
    ['pglite:', { driver: 'pglite', dataDir: undefined }],
    ['pglite:.data/other', { driver: 'pglite', dataDir: '.data/other' }],
    ['pglite:/var/lib/app', { driver: 'pglite', dataDir: '/var/lib/app' }],
    ['pglite:///var/lib/app', { driver: 'pglite', dataDir: '/var/lib/app' }],
    ['postgres://u:p@db:5432/app', { driver: 'postgres', url: 'postgres://u:p@db:5432/app' }],
    ['postgresql://db/app?sslmode=require', { driver: 'postgres', url: 'postgresql://db/app?sslmode=require' }],
  ])('%j', (input, expected) => {
    expect(databaseTargetFrom(input)).toEqual(expected)
  })

  it.each(['mysql://db/app', 'sqlite:app.db', 'localhost:5432'])('rejects %j with the accepted forms', (input) => {
    expect(() => databaseTargetFrom(input)).toThrow(/postgres:\/\/.*pglite:/)
  })

  it('describes a server target without its password', () => {
    const text = describeTarget(databaseTargetFrom('postgres://admin:hunter2secret@db.internal:6543/app'))
    expect(text).toBe('PostgreSQL (db.internal:6543/app)')
    expect(text).not.toContain('hunter2secret')
  })
})
