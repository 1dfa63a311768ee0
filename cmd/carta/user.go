package main

import (
	"context"
)

// User runs `carta user …`.
func (m *Main) User(ctx context.Context, args []string) error {
	return usageError{"user: not available yet"}
}
