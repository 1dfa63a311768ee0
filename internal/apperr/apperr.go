// Package apperr is the product's one error type: a Kind that maps to an HTTP status, a message
// in Italian that a citizen or staff member may read, and an internal cause that is only logged.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the HTTP layer and for callers that branch on it.
type Kind int

const (
	Internal     Kind = iota // something broke; the user sees a generic message
	Invalid                  // the input is wrong; Fields says where
	NotFound                 // no such thing, or not visible to this tenant
	Conflict                 // it exists already (duplicate slug, e-mail, ...)
	Unauthorized             // not logged in
	Forbidden                // logged in, not allowed
	TooMany                  // rate limited or locked out
	Unavailable              // a dependency is down
)

// Error is the product's error. Message is safe to show; Cause is not.
type Error struct {
	Kind    Kind
	Message string            // Italian, shown to the user
	Fields  map[string]string // field name -> Italian message, for forms
	Cause   error             // internal detail, logged only
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Cause)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// New returns an error of the given kind with a message safe to show.
func New(kind Kind, message string) *Error { return &Error{Kind: kind, Message: message} }

// Wrap returns an error of the given kind whose cause is only logged.
func Wrap(kind Kind, message string, cause error) *Error {
	return &Error{Kind: kind, Message: message, Cause: cause}
}

// Invalidf builds a validation error carrying a message per field.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Kind: Invalid, Message: "Alcuni campi non sono validi: correggili e riprova.", Fields: fields}
}

// KindOf returns the kind of err, Internal when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err as *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ErrNotFound is returned by stores when a row does not exist or is not visible.
var ErrNotFound = New(NotFound, "La risorsa richiesta non esiste.")
