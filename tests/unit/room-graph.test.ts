// The arrows between rooms, as docs/architecture.md lists them, against the imports the code has:
// an arrow the table does not list, a room missing from the table, or a table that points down
// as well as up (a cycle) fails here, so the page stays true as the code changes.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '../..')
const lib = path.join(root, 'lib')

/** `room → rooms it may import`, in the table's order, from the block marked for this test. */
function documentedArrows(): Map<string, string[]> {
  const page = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8')
  const block = page.split('<!-- room-graph:')[1]?.split('\n\n')[0] ?? ''
  const arrows = new Map<string, string[]>()
  for (const line of block.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    if (cells.length < 4 || cells[1] === 'room' || cells[1]?.startsWith('-')) continue
    const targets = cells[2] === '—' ? [] : (cells[2] ?? '').split(',').map((name) => name.trim())
    arrows.set(cells[1] ?? '', targets)
  }
  return arrows
}

/** A room is a folder under lib/, or a single file there (lib/http.ts is room `http`). */
function roomOf(file: string): string | undefined {
  const relative = path.relative(lib, file)
  if (relative.startsWith('..')) return undefined
  return relative.split(path.sep)[0]?.replace(/\.tsx?$/, '')
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) return sourceFiles(full)
    return /\.tsx?$/.test(name) ? [full] : []
  })
}

const SPECIFIER = /(?:from\s+|import\s*\(\s*)['"]([^'"]+)['"]/g

/** Every `importer room → imported room` arrow in lib/, with one file that has it. */
function actualArrows(): Map<string, string> {
  const found = new Map<string, string>()
  for (const file of sourceFiles(lib)) {
    const from = roomOf(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = specifier?.startsWith('@/')
        ? path.join(root, specifier.slice(2))
        : specifier?.startsWith('.')
          ? path.resolve(path.dirname(file), specifier)
          : undefined
      const to = target ? roomOf(target) : undefined
      if (from && to && from !== to) found.set(`${from} → ${to}`, path.relative(root, file))
    }
  }
  return found
}

describe('rooms (docs/architecture.md)', () => {
  const documented = documentedArrows()

  it('lists every room under lib/, and only those', () => {
    const rooms = readdirSync(lib).map((name) => name.replace(/\.tsx?$/, ''))
    expect([...documented.keys()].sort()).toEqual([...new Set(rooms)].sort())
  })

  it('has every import between rooms listed as an arrow', () => {
    const unlisted = [...actualArrows()]
      .filter(([arrow]) => {
        const [from, to] = arrow.split(' → ')
        return !documented.get(from ?? '')?.includes(to ?? '')
      })
      .map(([arrow, file]) => `${arrow} (${file})`)
    expect(unlisted).toEqual([])
  })

  it('points only up the table, so the rooms have no cycle', () => {
    const order = [...documented.keys()]
    const downward = [...documented].flatMap(([room, targets]) =>
      targets
        .filter((target) => !(order.indexOf(target) >= 0 && order.indexOf(target) < order.indexOf(room)))
        .map((target) => `${room} → ${target}`),
    )
    expect(downward).toEqual([])
  })
})
