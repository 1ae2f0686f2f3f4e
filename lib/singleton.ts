// One value per server process. Next bundles a server module into several chunks (routes, server
// actions, instrumentation), and each chunk gets its own copy of the module's variables. A value
// kept on globalThis under a Symbol.for() key is the same one in every chunk.

/** The value registered under `name`, created by `create` on the first call in this process. */
export function perProcess<T>(name: string, create: () => T): T {
  const store = globalThis as unknown as Record<symbol, T | undefined>
  const key = Symbol.for(`signalbox.${name}`)
  return (store[key] ??= create())
}
