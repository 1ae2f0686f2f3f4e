// The targets of scenario 5: for each, what fast-check generates, how it is sent, and what the
// answer must be. `adds` says which rows a request added by its own account (a 201, a saved
// form, an account created); the test checks the database against the sum.
import fc from 'fast-check'
import { browserEvents } from './bad-input-browser'
import { apiCustomers, customerForm } from './bad-input-customers'
import { actionBodies, forwarders, headers, lyingLengths, metrics, pages } from './bad-input-requests'
import type { AppServer } from '../../e2e/support/server'
import {
  actionProblem,
  anyText,
  callbackLike,
  emailLike,
  findable,
  isRedirect,
  fieldErrorsIn,
  passwordLike,
  postAction,
  read,
  sometimes,
  type TargetSpec,
} from './bad-input'

const PASSWORD = 'a long enough password'

export class Context {
  metricsToken = ''
  sentryDsn = ''
  private constructor(
    readonly app: AppServer,
    readonly actions: Record<string, string>,
    readonly secrets: string[],
    /** The session cookie of a signed-up owner (`authjs.session-token=…`). */
    readonly cookie: string,
  ) {}

  get port(): number {
    return Number(new URL(this.app.url).port)
  }

  /** Signs up an owner through the real sign-up action and keeps its session cookie. */
  static async signedIn(app: AppServer, actions: Record<string, string>, secrets: string[]): Promise<Context> {
    const fields = { name: 'Fuzz Owner', email: 'owner@fuzz.example', password: PASSWORD, callbackUrl: '/customers' }
    const answer = await postAction(app.url, '/sign-up', actions.signUpAction!, fields)
    const session = answer.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('authjs.session-token'))
    if (!session) throw new Error(`sign-up gave no session: ${answer.status} ${answer.body.slice(0, 300)}`)
    return new Context(app, actions, [...secrets, PASSWORD], session)
  }
}

const SIGNED_UP = {
  users: 1,
  organizations: 1,
  memberships: 1,
  'audit:user.signed_up': 1,
  'audit:user.signed_in': 1,
}

let signUps = 0

const signUp: TargetSpec<{ name?: string; email?: string; password?: string; callbackUrl: string }> = {
  name: 'sign-up form',
  runs: [60, 15],
  // Each field garbage or valid, so one bad field at a time also reaches the database.
  arbitrary: fc.record({
    name: sometimes(anyText(120)),
    email: sometimes(emailLike),
    password: sometimes(passwordLike),
    callbackUrl: callbackLike,
  }),
  // A NUL was a database error; so was an email too long for PostgreSQL's index (a 500 whose
  // printed error held the password hash).
  examples: [
    { name: 'Ada\u0000', callbackUrl: '/customers' },
    { email: `${'a'.repeat(5000)}@example.com`, callbackUrl: '/customers' },
  ],
  async send(context, input) {
    const n = ++signUps
    const fields = {
      name: input.name ?? 'Grace Hopper',
      email: input.email ?? `sign-up-${n}@fuzz.example`,
      password: input.password ?? `valid password ${n}`,
      callbackUrl: input.callbackUrl,
    }
    const answer = await postAction(context.app.url, '/sign-up', context.actions.signUpAction!, fields)
    const problem = actionProblem(answer, /"fieldErrors"|"error":"/)
    const created = isRedirect(answer)
    // A field the schema refused must say which field and why.
    const unexplained = !created && !problem && /"fieldErrors"/.test(answer.body) && !fieldErrorsIn(answer)
    return {
      answer,
      problem: problem ?? (unexplained ? 'field errors without a message' : undefined),
      adds: created ? SIGNED_UP : {},
      secrets: findable(fields.password) ? [fields.password] : [],
    }
  },
}

const SIGN_IN_REFUSAL = /"error":"(Email or password is incorrect\.|Too many attempts)/

const signIn: TargetSpec<{ email: string; password: string; callbackUrl: string }> = {
  name: 'sign-in form',
  runs: [60, 15],
  arbitrary: fc.record({ email: emailLike, password: passwordLike, callbackUrl: callbackLike }),
  examples: [{ email: 'ada\u0000@example.com', password: PASSWORD, callbackUrl: '/customers' }],
  async send(context, input) {
    const answer = await postAction(context.app.url, '/sign-in', context.actions.signInAction!, input)
    return {
      answer,
      problem: isRedirect(answer) ? 'signed in with a generated password' : actionProblem(answer, SIGN_IN_REFUSAL),
      secrets: findable(input.password) ? [input.password] : [],
    }
  },
  mayAlsoWrite: ['audit:user.sign_in_failed'],
}

const credentialsCallback: TargetSpec<{ email: string; password: string; callbackUrl: string; csrf: boolean }> = {
  name: 'Auth.js credentials callback',
  runs: [40, 10],
  arbitrary: fc.record({ email: emailLike, password: passwordLike, callbackUrl: callbackLike, csrf: fc.boolean() }),
  async send(context, input) {
    const csrf = await fetch(`${context.app.url}/api/auth/csrf`)
    const { csrfToken } = (await csrf.json()) as { csrfToken: string }
    const cookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const body = new URLSearchParams({ ...input, csrf: '', csrfToken: input.csrf ? csrfToken : 'forged' })
    const response = await fetch(`${context.app.url}/api/auth/callback/credentials`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    const answer = await read(response)
    const location = answer.headers.location ?? ''
    const refused = answer.status === 302 && /[?&](error|code)=/.test(location)
    return {
      answer,
      problem: refused ? undefined : `expected a redirect naming the error, got ${answer.status} ${location}`,
      secrets: findable(input.password) ? [input.password] : [],
    }
  },
  mayAlsoWrite: ['audit:user.sign_in_failed'],
}

export const targets: TargetSpec<unknown>[] = [
  signUp,
  apiCustomers,
  customerForm,
  browserEvents,
  headers,
  lyingLengths,
  actionBodies,
  pages,
  metrics,
  ...forwarders,
  signIn,
  credentialsCallback,
] as unknown as TargetSpec<unknown>[]
