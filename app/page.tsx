import Link from 'next/link'

const pillars = [
  { title: 'Request IDs', body: 'Every request carries one ID, echoed in the response and stamped on every log line.' },
  { title: 'Structured logs', body: 'JSON lines with secrets redacted in the pipeline, not by remembering.' },
  { title: 'Audit trail', body: 'Who changed this? Every mutation leaves a row, written after the response.' },
  {
    title: 'Errors and analytics',
    body: 'Sentry and PostHog through your own domain, switched on by one variable each.',
  },
]

export default function HomePage() {
  return (
    <main className="mx-auto flex max-w-3xl flex-col gap-10 px-6 py-16">
      <header className="flex flex-col gap-3">
        <p className="font-mono text-sm text-emerald-700">signalbox</p>
        <h1 className="text-4xl font-semibold tracking-tight">See what your app is doing from the first day.</h1>
        <p className="text-lg text-stone-600">
          Signalbox is a Next.js starter with observability wired in before the first feature: request IDs, structured
          logs, an audit trail, error tracking and product analytics. It runs on a laptop with no accounts and deploys
          to Vercel.
        </p>
      </header>
      {/* This page is prerendered, the same for everyone, so it cannot know who is signed in. "Open
          the app" works either way: a signed-in user lands on their customers, anyone else is sent
          to sign in by the proxy and brought back there. Not prefetched: that would be a request to
          the dynamic app (or a redirect) on every visit here, mostly from people who never click. */}
      <div className="flex flex-wrap gap-3">
        <Link
          href="/customers"
          prefetch={false}
          className="rounded-md bg-stone-900 px-4 py-2 font-medium text-white hover:bg-stone-700"
        >
          Open the app
        </Link>
        <Link
          href="/sign-up"
          className="rounded-md border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-100"
        >
          Create an account
        </Link>
        <Link
          href="/sign-in"
          className="rounded-md border border-stone-300 bg-white px-4 py-2 font-medium hover:bg-stone-100"
        >
          Sign in
        </Link>
      </div>
      <ul className="grid gap-4 sm:grid-cols-2">
        {pillars.map((pillar) => (
          <li key={pillar.title} className="rounded-lg border border-stone-200 bg-white p-5">
            <h2 className="font-medium">{pillar.title}</h2>
            <p className="mt-1 text-sm text-stone-600">{pillar.body}</p>
          </li>
        ))}
      </ul>
      <p className="text-sm text-stone-500">
        Health:{' '}
        <a className="underline" href="/api/health">
          /api/health
        </a>{' '}
        · Readiness:{' '}
        <a className="underline" href="/api/ready">
          /api/ready
        </a>{' '}
        · Version and request ID:{' '}
        <a className="underline" href="/status">
          /status
        </a>
      </p>
    </main>
  )
}
