// Reads a V8 CPU profile (`node --cpu-prof`) and says which layer of the app each sampled
// microsecond belongs to, within a time window. Frames in bundled server chunks are mapped back
// to their sources through the chunk's source map, so `lib/logs/logger.ts` and
// `node_modules/pino/…` are told apart even when Turbopack put them in the same file.
import { existsSync, readFileSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const NEXT_PROXY_FUNCTIONS = new Set([
  'runMiddleware',
  'handleCatchallMiddlewareRequest',
  'getMiddleware',
  'loadNodeMiddleware',
  'hasMiddleware',
  'getMiddlewareManifest',
])

/**
 * The layers. A sample belongs to the layer of the innermost frame of its stack that is not
 * Node's own: pino formatting a line is logging even when our code called it. Only the proxy
 * pass is looked for further up the stack, because that pass is Next's own code doing work it
 * does only for the proxy. (Looking up the stack for the others would be wrong: the Sentry and
 * OpenTelemetry context wrappers are ancestors of everything rendered inside them.) A sample
 * no layer claims goes to whoever owns that innermost frame (`ownerOf`). `test` receives
 * `{ source, functionName }`: `source` is the original source path when a source map knows
 * it, else the script URL.
 */
export const LAYERS = [
  {
    name: 'logging (pino, our redaction and access line)',
    test: ({ source }) => /node_modules\/pino\/|lib\/logs\/|lib\/privacy\/redact\b/.test(source),
  },
  { name: 'metrics (prom-client)', test: ({ source }) => /node_modules\/prom-client\/|lib\/metrics\//.test(source) },
  {
    name: 'tracing (OpenTelemetry SDK and export)',
    // @opentelemetry/api alone is Next's own tracer calling a no-op: Next's cost, baseline included.
    test: ({ source }) => /node_modules\/@opentelemetry\/(?!api\/)|lib\/traces\/|lib\/db\/tracing\b/.test(source),
  },
  { name: 'Sentry SDK', test: ({ source }) => /node_modules\/@sentry(-internal)?\//.test(source) },
  {
    name: 'our proxy.ts (request ID, signed-out redirect)',
    test: ({ source }) =>
      !source.includes('/node_modules/') && /(^|\/)proxy\.ts$|lib\/request\/id\b|lib\/auth\/routing\b/.test(source),
  },
  {
    name: "proxy pass (Next's own work to run proxy.ts)",
    test: ({ source, functionName }) =>
      /next\/dist\/(esm\/)?server\/web\/adapter\.js|build\/templates\/middleware/.test(source) ||
      NEXT_PROXY_FUNCTIONS.has(functionName),
  },
]

const PROXY = LAYERS.at(-1)

export const OTHER = {
  ours: 'our other code (request context, routes, pages)',
  next: 'Next.js, React and other packages (routing, rendering, the Node APIs they call)',
  node: 'Node.js (HTTP parsing, sockets, timers)',
  gc: 'garbage collector',
  program: 'V8 and native (program)',
}

const isNodeInternal = (url) => url === '' || url.startsWith('node:')

// Parsed source maps by script URL, for the whole run: several profiles (and several windows of
// one) share a build's maps, and a map on disk does not change while the benchmark runs.
const maps = new Map()

/** Source-map lookups per script URL: `{ source, line, column }`; a script without a map keeps its own. */
function sourceResolver() {
  const mapFor = (url) => {
    if (maps.has(url)) return maps.get(url)
    let map = null
    if (url.startsWith('file://')) {
      const file = `${fileURLToPath(url)}.map`
      if (existsSync(file)) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')))
        } catch {
          map = null // an unreadable map: fall back to the script URL
        }
      }
    }
    maps.set(url, map)
    return map
  }
  return ({ url, lineNumber, columnNumber }) => {
    const entry = mapFor(url)?.findEntry(lineNumber, columnNumber)
    if (!entry || !('originalSource' in entry) || !entry.originalSource)
      return { source: url, line: lineNumber + 1, column: columnNumber + 1 }
    const [line, column] = [entry.originalLine + 1, entry.originalColumn + 1]
    // Unbundled packages' maps name sources relative to the script (`../src/api/context.ts`).
    try {
      return { source: decodeURIComponent(new URL(entry.originalSource, url).href), line, column } // `%40sentry` is `@sentry`
    } catch {
      return { source: entry.originalSource, line, column }
    }
  }
}

/** Our code is the app's own sources; everything else unclaimed (Next, React, Turbopack's runtime) is Next's. */
function ownerOf({ source }, root) {
  const ours = source.startsWith(root) || source.startsWith('turbopack:///[project]/')
  return ours && !/\/node_modules\/|\/\.next\//.test(source) ? OTHER.ours : OTHER.next
}

/**
 * CPU time per layer, in microseconds, of the samples taken inside `windows` (`{ from, to }`
 * in microseconds on the same monotonic clock as `process.hrtime`, which V8's profile uses too;
 * no windows: the whole profile).
 * `root` is the app's folder: sources under it, outside node_modules, are ours.
 * Idle samples are counted apart: they are time the process waited, not time it worked.
 * `functions` is the same time by function (self time: the innermost frame), for finding which
 * functions a difference between two apps is made of.
 */
export function layerTimes(profile, { windows = [{ from: -Infinity, to: Infinity }], root = process.cwd() } = {}) {
  const resolve = sourceResolver()
  root = pathToFileURL(root).href.replace(/\/?$/, '/')
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const parents = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id)
  const frameOf = new Map()
  const frame = (node) => {
    if (!frameOf.has(node.id)) {
      const { url, functionName } = node.callFrame
      frameOf.set(node.id, { url, functionName, ...resolve(node.callFrame) })
    }
    return frameOf.get(node.id)
  }
  const layerOfNode = new Map()
  const layerOf = (leaf) => {
    if (layerOfNode.has(leaf.id)) return layerOfNode.get(leaf.id)
    let layer
    const name = leaf.callFrame.functionName
    if (name === '(garbage collector)') layer = OTHER.gc
    else if (name === '(program)') layer = OTHER.program
    else if (name === '(idle)') layer = 'idle'
    else {
      const frames = []
      for (let id = leaf.id; id !== undefined; id = parents.get(id)) {
        const f = frame(nodes.get(id))
        if (!isNodeInternal(f.url) && f.functionName !== '(root)') frames.push(f)
      }
      const [innermost] = frames
      layer = !innermost
        ? OTHER.node
        : ((
            LAYERS.find((candidate) => candidate !== PROXY && candidate.test(innermost)) ??
            (frames.some((f) => PROXY.test(f)) ? PROXY : undefined)
          )?.name ?? ownerOf(innermost, root))
    }
    layerOfNode.set(leaf.id, layer)
    return layer
  }

  // Self time per function too, named `function (source:line:column)` with node_modules and the
  // app's folder cut from the path: which functions a layer's time is spent in. The column tells
  // apart the functions of a minified file, which are all on one line.
  // Named once per node, as its layer is: a profile has far more samples than nodes.
  const functionOfNode = new Map()
  const functionOf = (leaf) => {
    if (functionOfNode.has(leaf.id)) return functionOfNode.get(leaf.id)
    const { functionName } = leaf.callFrame
    let name
    if (functionName.startsWith('('))
      name = functionName // (garbage collector), (program)
    else {
      const { source, line, column } = frame(leaf)
      const where = source
        .replace(/^.*\/node_modules\//, '')
        .replace(root, '')
        .replace(/^turbopack:\/\/\/\[project\]\//, '')
      name = source ? `${functionName || '(anonymous)'} (${where}:${line}:${column})` : `${functionName} (native)`
    }
    functionOfNode.set(leaf.id, name)
    return name
  }
  const micros = new Map()
  const functions = new Map()
  let time = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0
    time += delta
    if (!windows.some(({ from, to }) => time >= from && time <= to)) continue
    const leaf = nodes.get(profile.samples[i])
    const layer = layerOf(leaf)
    micros.set(layer, (micros.get(layer) ?? 0) + delta)
    if (layer === 'idle') continue
    const name = functionOf(leaf)
    functions.set(name, (functions.get(name) ?? 0) + delta)
  }
  const idle = micros.get('idle') ?? 0
  micros.delete('idle')
  return { micros, functions, idle, busy: [...micros.values()].reduce((sum, v) => sum + v, 0) }
}

export const readProfile = (file) => JSON.parse(readFileSync(file, 'utf8'))
