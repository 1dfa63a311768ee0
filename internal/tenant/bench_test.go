package tenant_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// The cost of the tenant transaction: compare a plain BEGIN/SELECT/COMMIT on the same pool
// with tenant.DB.InTx (BEGIN + statement timeout + set_config in one round trip) running the
// same SELECT. Report the ratio of the two ns/op figures from one run:
//
//	go test -run '^$' -bench 'Tx' -benchtime 3s ./internal/tenant/
func BenchmarkPlainTx(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		tx, err := env.Runtime.BeginTx(ctx, pgx.TxOptions{})
		if err != nil {
			b.Fatal(err)
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTenantTx(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	tn := env.NewTenant(b, tenant.KindComune)
	b.ResetTimer()
	for b.Loop() {
		err := env.DB.InTx(ctx, tn.ID, func(tx *tenant.Tx) error {
			var n int
			return tx.Raw.QueryRow(ctx, "SELECT 1").Scan(&n)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTenantProfileRead is a typical small read under RLS: the tenant's profile.
func BenchmarkTenantProfileRead(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	tn := env.NewTenant(b, tenant.KindComune)
	b.ResetTimer()
	for b.Loop() {
		if _, err := env.Tenants.Profile(ctx, tn.ID); err != nil {
			b.Fatal(err)
		}
	}
}
