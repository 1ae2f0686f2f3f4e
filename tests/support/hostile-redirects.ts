// Callback URLs an attacker would try for an open redirect after sign-in, by class. Shared by the
// unit test of the rule (tests/unit/auth-routing.test.ts) and the pages that apply it
// (tests/e2e/trust-boundaries.spec.ts); docs/security.md counts them.
export const HOSTILE_CALLBACK_URLS: Record<string, readonly string[]> = {
  'dot segments': [
    '/.//evil.com',
    '/./\\evil.com',
    '/a/..//evil.com',
    '/a/b/../..//evil.com',
    '/..//evil.com',
    '/.//evil.com/customers',
  ],
  'encoded dots and slashes': [
    '/%2e//evil.com',
    '/%2E%2E//evil.com',
    '/a/%2e%2e//evil.com',
    '/.%2e//evil.com',
    '/%2e%2e/%2e%2e//evil.com',
  ],
  backslashes: ['/\\evil.com', '/\\/evil.com', '\\\\evil.com', '\\/evil.com', '/.\\evil.com'],
  'tabs and newlines': [
    '/\t/evil.com',
    '/\n/evil.com',
    '/\r\n/evil.com',
    '/%09/evil.com'.replace('%09', '\t'),
    '\t//evil.com',
    '/\u0000/evil.com',
  ],
  'absolute URLs': [
    'https://evil.com',
    'http://evil.com/customers',
    'https://evil.com@localhost/',
    'HTTPS://EVIL.COM',
    'ftp://evil.com',
  ],
  'protocol-relative URLs': ['//evil.com', '//evil.com/customers', '///evil.com', '////evil.com', ' //evil.com'],
  'script URLs': [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
  ],
  'not a path': ['customers', '', ' /customers', 'evil.com'],
}

/** Same-origin paths the rule keeps, with what they normalise to. */
export const SAFE_CALLBACK_URLS: readonly (readonly [string, string])[] = [
  ['/customers', '/customers'],
  ['/customers?page=2#top', '/customers?page=2#top'],
  ['/activity', '/activity'],
  ['/a/../activity', '/activity'],
  ['/%2F%2Fevil.com', '/%2F%2Fevil.com'], // an encoded slash is a path segment, not a host
]
