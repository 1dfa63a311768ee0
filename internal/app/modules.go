package app

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

// modules wires the domain packages.
type wired struct {
	errorHandler fiber.ErrorHandler
	mount        func(f *fiber.App)
}

func (a *App) modules(ctx context.Context) (*wired, error) {
	w := &wired{errorHandler: fiber.DefaultErrorHandler}
	w.mount = func(f *fiber.App) {
		f.Use(a.resolver.Middleware())
	}
	return w, nil
}
