package main

import "context"

// Dev runs the whole product locally with demo data.
func (m *Main) Dev(ctx context.Context, args []string) error {
	return usageError{"dev: not available yet"}
}
