// Sentry for the client runtime. Disabled until the error-tracking issue lands: nothing is
// initialised and no request is made.
export {}
