import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { OTHER, layerTimes } from '../../bench/cpu-profile.mjs'

// A V8 CPU profile is a call tree (nodes with call frames and children) plus one leaf node ID
// per sample and the microseconds since the sample before. This one is built by hand so each
// sample's layer is known; the bundled chunks get real source maps on disk.
const app = mkdtempSync(path.join(tmpdir(), 'signalbox-cpu-profile-'))
afterAll(() => rmSync(app, { recursive: true, force: true }))
const url = (file: string) => pathToFileURL(path.join(app, file)).href

/** A one-line script at `file` whose source map says it came from `source` (relative to the script). */
function mapped(file: string, source: string) {
  mkdirSync(path.dirname(path.join(app, file)), { recursive: true })
  writeFileSync(path.join(app, file), 'module.exports=function(){}\n')
  // "AAAA": generated line 0, column 0 comes from source 0, line 0, column 0.
  writeFileSync(
    path.join(app, `${file}.map`),
    JSON.stringify({ version: 3, sources: [source], names: [], mappings: 'AAAA' }),
  )
  return url(file)
}
const chunk = (name: string, source: string) => mapped(`.next/server/chunks/${name}`, source)

type Frame = { functionName: string; url: string }
const frames: Record<string, Frame & { parent?: string }> = {
  root: { functionName: '(root)', url: '' },
  nextRequest: {
    functionName: 'handleRequest',
    url: url('node_modules/next/dist/server/base-server.js'),
    parent: 'root',
  },
  pino: { functionName: 'LOG', url: url('node_modules/pino/lib/tools.js'), parent: 'nextRequest' },
  pinoWrite: { functionName: 'writeUtf8String', url: '', parent: 'pino' },
  ourLogger: {
    functionName: 'logMethod',
    url: chunk('logger.js', '../../../lib/logs/logger.ts'),
    parent: 'nextRequest',
  },
  proxyAdapter: {
    functionName: 'tz',
    url: url('node_modules/next/dist/esm/server/web/adapter.js'),
    parent: 'nextRequest',
  },
  ourProxy: { functionName: 'proxy', url: chunk('proxy.js', '../../../proxy.ts'), parent: 'proxyAdapter' },
  requestIdCheck: {
    functionName: 'isValidRequestId',
    url: chunk('id.js', '../../../lib/request/id.ts'),
    parent: 'ourProxy',
  },
  nextResponseInProxy: {
    functionName: 'next',
    url: url('node_modules/next/dist/esm/server/web/spec-extension/response.js'),
    parent: 'ourProxy',
  },
  proxyRequest: { functionName: '_Request', url: 'node:internal/deps/undici/undici', parent: 'proxyAdapter' },
  nextUnderProxy: {
    functionName: 'fromNodeNextRequest',
    url: url('node_modules/next/dist/esm/server/web/spec-extension/adapters/next-request.js'),
    parent: 'proxyAdapter',
  },
  otelContext: {
    functionName: 'with',
    url: url('node_modules/@opentelemetry/context-async-hooks/build/src/AsyncLocalStorageContextManager.js'),
    parent: 'nextRequest',
  },
  renderInsideSpan: {
    functionName: 'renderToReadableStream',
    url: url('node_modules/next/dist/compiled/react-dom/server.js'),
    parent: 'otelContext',
  },
  sentryScope: {
    functionName: 'clone',
    url: mapped('node_modules/@sentry/core/build/cjs/scope.js', '../../src/scope.ts'),
    parent: 'nextRequest',
  },
  // Turbopack's maps write a scoped package's `@` as `%40`.
  sentryBundled: {
    functionName: 'captureRequestError',
    url: chunk('sentry.js', '../../../node_modules/%40sentry/nextjs/src/common/captureRequestError.ts'),
    parent: 'nextRequest',
  },
  otelApi: {
    functionName: 'startActiveSpan',
    url: url('node_modules/@opentelemetry/api/build/src/trace/NoopTracer.js'),
    parent: 'nextRequest',
  },
  ourRoute: { functionName: 'GET', url: chunk('route.js', '../../../app/api/health/route.ts'), parent: 'nextRequest' },
  bundledLib: {
    functionName: 'parse',
    url: chunk('zod.js', '../../../node_modules/zod/v4/core/parse.js'),
    parent: 'ourRoute',
  },
  turbopackRuntime: {
    functionName: 'instantiateModule',
    url: chunk('runtime.js', 'turbopack:///[turbopack]/runtime.ts'),
    parent: 'nextRequest',
  },
  httpParser: { functionName: 'parserOnIncoming', url: 'node:_http_server', parent: 'root' },
  gc: { functionName: '(garbage collector)', url: '', parent: 'root' },
  program: { functionName: '(program)', url: '', parent: 'root' },
  idle: { functionName: '(idle)', url: '', parent: 'root' },
}
const names = Object.keys(frames)
const idOf = (name: string) => names.indexOf(name) + 1
const profile = (samples: Array<[string, number]>, startTime = 1_000_000) => ({
  startTime,
  endTime: startTime + samples.reduce((sum, [, delta]) => sum + delta, 0),
  nodes: names.map((name) => ({
    id: idOf(name),
    callFrame: {
      functionName: frames[name]!.functionName,
      url: frames[name]!.url,
      scriptId: '0',
      lineNumber: 0,
      columnNumber: 0,
    },
    children: names.filter((child) => frames[child]!.parent === name).map(idOf),
  })),
  samples: samples.map(([name]) => idOf(name)),
  timeDeltas: samples.map(([, delta]) => delta),
})

const LOGGING = 'logging (pino, our redaction and access line)'
const TRACING = 'tracing (OpenTelemetry SDK and export)'
const PROXY = "proxy pass (Next's own work to run proxy.ts)"
const OUR_PROXY = 'our proxy.ts (request ID, signed-out redirect)'

describe('layerTimes', () => {
  it('puts each sample in the layer of its innermost non-Node frame, the proxy pass by ancestry', () => {
    const cases: Array<[string, string]> = [
      ['pino', LOGGING],
      ['pinoWrite', LOGGING], // Node's write, called by pino
      ['ourLogger', LOGGING], // mapped through the chunk's source map
      ['proxyAdapter', PROXY],
      ['proxyRequest', PROXY],
      ['ourProxy', OUR_PROXY],
      ['requestIdCheck', OUR_PROXY],
      ['nextResponseInProxy', PROXY], // Next's code called by ours, inside the proxy pass
      ['nextUnderProxy', PROXY], // Next's own code, doing the proxy's work
      ['otelContext', TRACING],
      ['renderInsideSpan', OTHER.next], // inside a span, but rendering is not tracing
      ['sentryScope', 'Sentry SDK'], // an unbundled package whose map names sources relative to it
      ['sentryBundled', 'Sentry SDK'],
      ['otelApi', OTHER.next], // Next's no-op tracer calls, which the baseline pays too
      ['ourRoute', OTHER.ours],
      ['bundledLib', OTHER.next], // bundled into our chunk, but a package, not our code
      ['turbopackRuntime', OTHER.next],
      ['nextRequest', OTHER.next],
      ['httpParser', OTHER.node],
      ['gc', OTHER.gc],
      ['program', OTHER.program],
    ]
    for (const [frame, layer] of cases) {
      const { micros } = layerTimes(profile([[frame, 250]]), { root: app })
      expect([frame, [...micros.keys()]]).toEqual([frame, [layer]])
    }
  })

  it('adds up the microseconds of the samples inside the windows only, idle apart', () => {
    const samples: Array<[string, number]> = [
      ['pino', 100], // at 1_000_100: before the first window
      ['pino', 200], // 1_000_300
      ['ourRoute', 300], // 1_000_600
      ['idle', 400], // 1_001_000
      ['pino', 50], // 1_001_050
      ['proxyAdapter', 500], // 1_001_550: between the windows
      ['gc', 70], // 1_001_620: in the second window
      ['httpParser', 30], // 1_001_650: after both
    ]
    const windows = [
      { from: 1_000_200, to: 1_001_100 },
      { from: 1_001_600, to: 1_001_640 },
    ]
    const result = layerTimes(profile(samples), { windows, root: app })
    expect(Object.fromEntries(result.micros)).toEqual({ [LOGGING]: 250, [OTHER.ours]: 300, [OTHER.gc]: 70 })
    expect(result.busy).toBe(620)
    expect(result.idle).toBe(400)
    expect(layerTimes(profile(samples), { root: app }).busy).toBe(1_250) // no windows: all of it
  })

  it('gives the same time by function, named by original source, line and column, idle left out', () => {
    const samples: Array<[string, number]> = [
      ['ourLogger', 100],
      ['ourLogger', 150],
      ['pino', 40],
      ['pinoWrite', 20],
      ['bundledLib', 30],
      ['gc', 70],
      ['idle', 400],
    ]
    const { functions, busy } = layerTimes(profile(samples), { root: app })
    expect(Object.fromEntries(functions)).toEqual({
      // mapped through the chunk's source map; the app's folder is cut from the path
      'logMethod (lib/logs/logger.ts:1:1)': 250,
      'LOG (pino/lib/tools.js:1:1)': 40, // everything up to node_modules/ is cut
      'writeUtf8String (native)': 20,
      'parse (zod/v4/core/parse.js:1:1)': 30,
      '(garbage collector)': 70,
    })
    expect([...functions.values()].reduce((sum, v) => sum + v, 0)).toBe(busy)
  })
})
