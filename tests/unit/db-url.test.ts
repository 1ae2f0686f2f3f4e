import { describe, expect, it } from 'vitest'
import { migrationTargetFrom } from '@/lib/db/url'
import { DEFAULT_PGLITE_DIR, databaseTargetFrom } from '@/lib/env'

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
})

describe('migrationTargetFrom (npm run db:migrate)', () => {
  const owner = 'postgres://owner:o@db:5432/app'
  const app = 'postgres://signalbox_app:a@db:5432/app'

  it('migrates as MIGRATION_DATABASE_URL when it is set, whatever DATABASE_URL says', () => {
    expect(migrationTargetFrom({ MIGRATION_DATABASE_URL: owner, DATABASE_URL: app })).toEqual({
      driver: 'postgres',
      url: owner,
    })
    expect(migrationTargetFrom({ MIGRATION_DATABASE_URL: ` ${owner} `, DATABASE_URL: app, VERCEL: '1' })).toEqual({
      driver: 'postgres',
      url: owner,
    })
  })

  it('falls back to DATABASE_URL, and to the embedded database in development, as before', () => {
    expect(migrationTargetFrom({ DATABASE_URL: app })).toEqual({ driver: 'postgres', url: app })
    expect(migrationTargetFrom({ MIGRATION_DATABASE_URL: '', DATABASE_URL: 'pglite:memory' })).toEqual({
      driver: 'pglite',
      dataDir: undefined,
    })
    expect(migrationTargetFrom({ NODE_ENV: 'development' })).toEqual({ driver: 'pglite', dataDir: DEFAULT_PGLITE_DIR })
  })

  it('refuses to migrate the embedded database in production or on Vercel', () => {
    expect(() => migrationTargetFrom({ NODE_ENV: 'production' })).toThrow(/DATABASE_URL is not set/)
    expect(() => migrationTargetFrom({ VERCEL: '1' })).toThrow(/DATABASE_URL is not set/)
    expect(migrationTargetFrom({ NODE_ENV: 'production', MIGRATION_DATABASE_URL: owner })).toEqual({
      driver: 'postgres',
      url: owner,
    })
  })

  it('on Vercel, refuses without DATABASE_URL even with MIGRATION_DATABASE_URL: the app this deploy ships needs it', () => {
    expect(() => migrationTargetFrom({ VERCEL: '1', MIGRATION_DATABASE_URL: owner })).toThrow(
      /DATABASE_URL is not set: the app/,
    )
  })

  it('names MIGRATION_DATABASE_URL when that is the malformed one', () => {
    expect(() => migrationTargetFrom({ MIGRATION_DATABASE_URL: 'mysql://db/app', DATABASE_URL: app })).toThrow(
      /^MIGRATION_DATABASE_URL must start with/,
    )
  })
})
