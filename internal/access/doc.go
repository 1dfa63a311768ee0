// Package access decides who may do what: Casbin RBAC with domains, where the domain is the
// tenant. Role → permission rules are one small shared template; only role assignments are per
// tenant. Staff routes are registered through Router, which attaches the permission check and
// records each route's permission so that a test can prove no staff route goes unguarded.
package access
