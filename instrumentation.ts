// Runs once when a server process starts (Node and edge runtimes).
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startNodeServer } = await import('./lib/startup')
    startNodeServer()
  }
}
