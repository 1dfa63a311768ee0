package complaints_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/cartasociale/carta/internal/jobs"
	"github.com/cartasociale/carta/internal/tenant"
	"github.com/cartasociale/carta/internal/testenv"
)

// BenchmarkSubmit files complaints on one tenant from parallel goroutines (the whole Submit:
// protocol number under its row lock, complaint, history, private link, jobs) and then checks
// that every acknowledged one is in the database. BenchmarkTenantTxBaseline is the same
// tenant's empty transaction in the same run, to compare against.
//
//	go test -run '^$' -bench 'Submit|TenantTxBaseline' -benchtime 10s ./internal/complaints/
func BenchmarkSubmit(b *testing.B) {
	svc, env, _ := newService(b, time.Now())
	// The real queue, insert only: each submission writes its River jobs as in production.
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	require.NoError(b, err)
	require.NoError(b, jobs.Migrate(ctx, owner))
	owner.Close()
	q, err := jobs.New(env.Runtime, quiet)
	require.NoError(b, err)
	svc.UseJobs(q)
	tn := env.NewTenant(b, tenant.KindComune)
	var acked atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.Submit(context.Background(), tn, valid()); err == nil {
				acked.Add(1)
			} else {
				b.Error(err)
			}
		}
	})
	b.StopTimer()
	var stored int64
	require.NoError(b, env.Admin.QueryRow(context.Background(), `SELECT count(*) FROM complaints WHERE tenant_id = $1`, tn.ID).Scan(&stored))
	require.Equal(b, acked.Load(), stored, "acknowledged complaints missing from the database")
	b.ReportMetric(float64(stored)/b.Elapsed().Seconds(), "complaints/s")
}

func BenchmarkTenantTxBaseline(b *testing.B) {
	env := testenv.Get(b)
	tn := env.NewTenant(b, tenant.KindComune)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := env.DB.InTx(context.Background(), tn.ID, func(tx *tenant.Tx) error {
				_, err := tx.Raw.Exec(context.Background(), "SELECT 1")
				return err
			})
			if err != nil {
				b.Error(err)
			}
		}
	})
}
