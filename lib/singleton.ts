// One value per server process. Next bundles a server module into several chunks (routes, server
// actions, instrumentation), and each chunk gets its own copy of the module's variables. A value
// kept on globalThis under a Symbol.for() key is the same one in every chunk.

// Each name's key, looked up once per chunk: some of these run on every request (the metrics,
// the drain), and building the key and asking the symbol registry each time cost 250 ns a call
// against 80 for this map. The value itself is still read from globalThis every time.
const keys = new Map<string, symbol>()

/** The value registered under `name`, created by `create` on the first call in this process. */
export function perProcess<T>(name: string, create: () => T): T {
  let key = keys.get(name)
  if (key === undefined) keys.set(name, (key = Symbol.for(`signalbox.${name}`)))
  const store = globalThis as unknown as Record<symbol, T | undefined>
  return (store[key] ??= create())
}
