// Package web is the shared HTTP plumbing of the product: the HTML renderer (Bootstrap Italia
// layouts for the citizen site, the staff area and the platform host, each page parsed once at
// start), the fingerprinted static files embedded in the binary, the error handler that turns
// every error into a status page without leaking internal detail, and the middlewares for
// security headers, CSRF protection and one-shot flash messages.
package web
