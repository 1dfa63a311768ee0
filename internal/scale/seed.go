// Package scale loads a database with the Carte of a whole country, for measuring the product
// at national scale: thousands of synthetic comuni (slugs c00001…, ISTAT codes from 900000 so
// they never collide with real ones) grouped into ambiti with a capofila, each with a realistic
// Carta of tens of services written from a small Italian corpus, published through the
// product's own publication use case so that versions, state and search index are exactly
// what the product makes. It is a development tool: the CLI refuses to run it outside
// CARTA_ENV=development, and it belongs in a database of its own.
//
// Every per-tenant row is written inside tenant.DB.InTx for that tenant, as the runtime role,
// so row-level security applies to the seeding as it does to the product.
package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/audit"
	"github.com/cartasociale/carta/internal/catalog"
	"github.com/cartasociale/carta/internal/config"
	"github.com/cartasociale/carta/internal/tenant"
)

// Options say how much to seed.
type Options struct {
	Comuni   int // synthetic comuni c00001…
	Services int // services of each comune's Carta
	// Ambiti groups the comuni into this many ambiti (a0001…), in contiguous blocks whose first
	// comune is the capofila. Each ambito publishes a Carta of its own shared services (see
	// AmbitoServices), which its member comuni show. 0: no ambiti.
	Ambiti int
	// AmbitoServices is the number of services of each ambito's Carta; default 6.
	AmbitoServices int
	Workers        int       // concurrent tenants; default 3
	Progress       io.Writer // progress lines; nil for none
	// Every is how often a progress line is printed; default 10 seconds.
	Every time.Duration
}

// Publish publishes a tenant's draft (publication.Service.Publish).
type Publish func(ctx context.Context, t *tenant.Tenant, note string) (*catalog.Carta, error)

// Deps are what seeding needs: the runtime role's database and the publication use case.
type Deps struct {
	DB      *tenant.DB
	Tenants *tenant.Store
	Publish Publish
}

// Result counts what a run did.
type Result struct {
	Tenants   int // tenants considered (ambiti and comuni)
	Created   int // tenants created by this run
	Published int // tenants published by this run
	Skipped   int // tenants already published, left alone
	Elapsed   time.Duration
}

// PublishNote is the change note of the seeded versions.
const PublishNote = "Carta di prova generata per le misure su scala nazionale"

// RequireDevelopment refuses any configuration but development: seeding creates thousands of
// fake tenants, which must never reach a real database.
func RequireDevelopment(cfg *config.Config) error {
	if cfg == nil || !cfg.IsDev() {
		return errors.New("scale-seed runs only with CARTA_ENV=development, against a database of its own: it creates thousands of synthetic tenants")
	}
	return nil
}

func (o *Options) defaults() error {
	if o.Comuni < 1 || o.Comuni > 99_999 {
		return fmt.Errorf("comuni must be between 1 and 99999, not %d", o.Comuni)
	}
	if o.Services < 1 || o.Services > 500 {
		return fmt.Errorf("services must be between 1 and 500, not %d", o.Services)
	}
	if o.Ambiti < 0 || o.Ambiti > o.Comuni || o.Ambiti > 9_999 {
		return fmt.Errorf("ambiti must be between 0 and the number of comuni (at most 9999), not %d", o.Ambiti)
	}
	if o.AmbitoServices <= 0 {
		o.AmbitoServices = 6
	}
	if o.Workers <= 0 {
		o.Workers = 3
	}
	if o.Every <= 0 {
		o.Every = 10 * time.Second
	}
	return nil
}

// AmbitoOf returns the ambito (1-based) of comune i among n comuni in a ambiti, and whether i
// is its capofila (the first comune of its block).
func AmbitoOf(i, n, a int) (ambito int, capofila bool) {
	if a == 0 {
		return 0, false
	}
	ambito = (i-1)*a/n + 1
	first := ((ambito-1)*n + a - 1) / a // smallest 0-based index whose block is ambito
	return ambito, i-1 == first
}

// Seed creates the tenants that do not exist yet, joins the comuni to their ambiti, and writes
// and publishes the Carta of every tenant that has published nothing yet (ambiti first, so
// their services are public when their comuni are). Running it again skips what is done, so an
// interrupted run is resumed by running it again.
func Seed(ctx context.Context, d Deps, o Options) (Result, error) {
	if err := o.defaults(); err != nil {
		return Result{}, err
	}
	start := time.Now()
	ctx = audit.WithActorLabel(ctx, "scale-seed")
	var res Result
	var created atomic.Int64

	p := newProgress(o.Progress, o.Every)
	defer p.stop()

	// 1. Tenants: ambiti, then comuni with their membership.
	ambiti := make([]*tenant.Tenant, o.Ambiti)
	p.phase("enti (ambiti)", o.Ambiti)
	if err := each(ctx, o.Workers, o.Ambiti, func(ctx context.Context, k int) error {
		e := ambitoEntity(k + 1)
		t, isNew, err := ensureTenant(ctx, d.Tenants, tenant.CreateParams{Kind: tenant.KindAmbito, Slug: e.slug, Name: e.name})
		if err != nil {
			return err
		}
		if isNew {
			created.Add(1)
		}
		ambiti[k] = t
		p.done(1)
		return nil
	}); err != nil {
		return res, err
	}
	comuni := make([]*tenant.Tenant, o.Comuni)
	p.phase("enti (comuni)", o.Comuni)
	if err := each(ctx, o.Workers, o.Comuni, func(ctx context.Context, k int) error {
		i := k + 1
		e := comuneEntity(i)
		t, isNew, err := ensureTenant(ctx, d.Tenants, tenant.CreateParams{Kind: tenant.KindComune, Slug: e.slug,
			Name: e.name, IstatCode: ComuneIstat(i)})
		if err != nil {
			return err
		}
		if isNew {
			created.Add(1)
		}
		if a, capofila := AmbitoOf(i, o.Comuni, o.Ambiti); a > 0 {
			amb := ambiti[a-1]
			if t.Ambito == nil || t.Ambito.ID != amb.ID || t.IsCapofila != capofila {
				if err := d.Tenants.JoinAmbito(ctx, t.Slug, amb.Slug, capofila); err != nil {
					return fmt.Errorf("%s joins %s: %w", t.Slug, amb.Slug, err)
				}
				if t, err = d.Tenants.BySlug(ctx, e.slug); err != nil {
					return err
				}
			}
		}
		comuni[k] = t
		p.done(1)
		return nil
	}); err != nil {
		return res, err
	}

	// 2. Carte: ambiti first.
	var published, skipped atomic.Int64
	now := time.Now()
	publishAll := func(label string, list []*tenant.Tenant, entityOf func(int) entity, services int) error {
		p.phase(label, len(list))
		return each(ctx, o.Workers, len(list), func(ctx context.Context, k int) error {
			did, err := seedCarta(ctx, d, list[k], entityOf(k+1), services, now)
			if err != nil {
				return fmt.Errorf("%s: %w", list[k].Slug, err)
			}
			if did {
				published.Add(1)
			} else {
				skipped.Add(1)
			}
			p.done(1)
			return nil
		})
	}
	if err := publishAll("carte (ambiti)", ambiti, ambitoEntity, o.AmbitoServices); err != nil {
		return res, err
	}
	if err := publishAll("carte (comuni)", comuni, comuneEntity, o.Services); err != nil {
		return res, err
	}
	res = Result{Tenants: o.Ambiti + o.Comuni, Created: int(created.Load()), Published: int(published.Load()),
		Skipped: int(skipped.Load()), Elapsed: time.Since(start)}
	return res, nil
}

// ensureTenant creates the tenant, or returns the existing one with that slug.
func ensureTenant(ctx context.Context, store *tenant.Store, p tenant.CreateParams) (*tenant.Tenant, bool, error) {
	t, err := store.BySlug(ctx, p.Slug)
	if err == nil {
		if t.Kind != p.Kind {
			return nil, false, fmt.Errorf("%s exists as %s, not %s", p.Slug, t.Kind, p.Kind)
		}
		return t, false, nil
	}
	if apperr.KindOf(err) != apperr.NotFound {
		return nil, false, err
	}
	if _, err := store.Create(ctx, p); err != nil {
		return nil, false, fmt.Errorf("create %s: %w", p.Slug, err)
	}
	// Read back through BySlug: the same shape (ambito filled) as for an existing tenant.
	t, err = store.BySlug(ctx, p.Slug)
	return t, err == nil, err
}

// seedCarta writes and publishes t's Carta unless it has published already. It reports whether
// it published.
func seedCarta(ctx context.Context, d Deps, t *tenant.Tenant, e entity, services int, now time.Time) (bool, error) {
	var version int
	var offices int64
	if err := d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error {
		var err error
		if version, err = catalog.CurrentVersion(ctx, tx, t.ID); err != nil {
			return err
		}
		offices, err = tx.DemoOfficeCount(ctx)
		return err
	}); err != nil {
		return false, err
	}
	if version > 0 {
		return false, nil
	}
	// A draft is written in one transaction, so offices present means the whole draft is: an
	// interrupted run only has to publish it.
	if offices == 0 {
		content := newDraft(e, services, now)
		if err := d.DB.InTx(ctx, t.ID, func(tx *tenant.Tx) error { return writeDraft(ctx, tx, content) }); err != nil {
			return false, fmt.Errorf("draft: %w", err)
		}
	}
	if _, err := d.Publish(ctx, t, PublishNote); err != nil {
		return false, fmt.Errorf("publish: %w", err)
	}
	return true, nil
}

// each runs fn for 0..n-1 on workers goroutines; the first error stops the others.
func each(ctx context.Context, workers, n int, fn func(ctx context.Context, k int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= n {
					return
				}
				if err := fn(ctx, k); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// progress prints a line per phase and, while a phase runs, its rate and remaining time.
type progress struct {
	w     io.Writer
	mu    sync.Mutex
	name  string
	total int
	count atomic.Int64
	began time.Time
	quit  chan struct{}
	wg    sync.WaitGroup
}

func newProgress(w io.Writer, every time.Duration) *progress {
	p := &progress{w: w, quit: make(chan struct{})}
	if w == nil {
		return p
	}
	p.wg.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				p.report()
			}
		}
	})
	return p
}

func (p *progress) phase(name string, total int) {
	p.report() // the end of the previous phase
	p.mu.Lock()
	p.name, p.total, p.began = name, total, time.Now()
	p.count.Store(0)
	p.mu.Unlock()
}

func (p *progress) done(n int) { p.count.Add(int64(n)) }

func (p *progress) report() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.name == "" {
		return
	}
	n := int(p.count.Load())
	el := time.Since(p.began)
	rate := float64(n) / el.Seconds()
	eta := "—"
	if rate > 0 && n < p.total {
		eta = (time.Duration(float64(p.total-n) / rate * float64(time.Second))).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "%s: %d/%d in %s (%.1f/s, mancano %s)\n", p.name, n, p.total, el.Round(time.Second), rate, eta)
}

func (p *progress) stop() {
	p.report()
	close(p.quit)
	p.wg.Wait()
}
