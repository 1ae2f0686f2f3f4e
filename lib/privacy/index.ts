// What counts as a secret and how it is removed, for everything that leaves the process: log
// lines (lib/logs), error events (lib/errors), spans (lib/traces) and analytics (lib/analytics).
// Isomorphic: no Node or browser APIs, so server and browser code share one set of rules.
export {
  LOGGED_HEADERS,
  REDACTED,
  REDACTED_KEYS,
  isSecretKey,
  redact,
  redactText,
  stripFragmentValues,
  stripQueryValues,
  stripQueryValuesFromUrls,
  stripUrlQueryValues,
} from './redact'
export { scrubData, scrubText, stripQueryString } from './scrub'
