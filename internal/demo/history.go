package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cartasociale/carta/internal/complaints"
	"github.com/cartasociale/carta/internal/itlang"
	"github.com/cartasociale/carta/internal/quality"
	"github.com/cartasociale/carta/internal/tenant"
)

// History seeds, on each demo tenant that has none yet, a year of what citizens said: page
// ratings, questionnaires online and on paper, complaints filed and answered (most on time,
// some late, one in five still open). It goes through the same Services as the site and the
// staff, on a clock moved back to each day, so that the dashboard and the indicators show
// real figures at `make run`. The complaints' e-mails and reminders of that past are not
// queued. The draws are seeded by the tenant's slug: every start makes the same year.
func History(ctx context.Context, tenants *tenant.Store, tdb *tenant.DB, now time.Time, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	var clock atomic.Int64
	at := func() time.Time { return time.Unix(0, clock.Load()) }
	cs := complaints.New(complaints.Deps{DB: tdb, Tenants: tenants, Log: log, Now: at,
		SiteURL: func(slug string) string { return "http://" + slug + ".localhost" }})
	cs.UseJobs(pastJobs{})
	qs := quality.New(quality.Deps{DB: tdb, Log: log, Now: at})
	for _, e := range Enti {
		if e.Kind != tenant.KindComune {
			continue
		}
		t, err := tenants.BySlug(ctx, e.Slug)
		if err != nil {
			return fmt.Errorf("demo history %s: %w", e.Slug, err)
		}
		done, err := qs.Ratings(ctx, t, 1)
		if err != nil {
			return err
		}
		if len(done) > 0 {
			continue
		}
		if err := history(ctx, t, cs, qs, &clock, now); err != nil {
			return fmt.Errorf("demo history %s: %w", e.Slug, err)
		}
	}
	return nil
}

func history(ctx context.Context, t *tenant.Tenant, cs *complaints.Service, qs *quality.Service, clock *atomic.Int64, now time.Time) error {
	h := fnv.New64a()
	_, _ = h.Write([]byte(t.Slug))
	rnd := rand.New(rand.NewPCG(h.Sum64(), 2026))
	targets, err := qs.Services(ctx, t)
	if err != nil {
		return err
	}
	choices, err := cs.Choices(ctx, t)
	if err != nil {
		return err
	}
	pages := []string{"/", "/servizi", "/uffici", "/carta"}
	for _, s := range targets {
		if s.Slug != "" {
			pages = append(pages, "/servizi/"+s.Slug)
		}
	}
	n := now.In(itlang.Rome)
	start := time.Date(n.Year()-1, n.Month(), n.Day(), 0, 0, 0, 0, itlang.Rome)
	visitor := 0
	for day := start; day.Before(now); day = day.AddDate(0, 0, 1) {
		clock.Store(time.Date(day.Year(), day.Month(), day.Day(), 9+rnd.IntN(8), rnd.IntN(60), 0, 0, itlang.Rome).UnixNano())
		// Page ratings: about two a day, most pages clear enough.
		for range rnd.IntN(4) {
			visitor++
			stars := []int{1, 2, 3, 4, 4, 5, 5, 5, 4, 3}[rnd.IntN(10)]
			choices := quality.ChoicesFor(stars)
			r := quality.Rating{Path: pages[rnd.IntN(len(pages))], Stars: stars, Answer: choices[rnd.IntN(len(choices))].Code}
			if _, err := qs.Rate(ctx, t, r, quality.Visitor{IP: "198.18.0." + strconv.Itoa(visitor%250), UserAgent: strconv.Itoa(visitor)}); err != nil {
				return fmt.Errorf("rating: %w", err)
			}
		}
		// Questionnaires: one every few days, one in four on paper.
		if rnd.IntN(3) == 0 && len(targets) > 0 {
			target := targets[rnd.IntN(len(targets))]
			scores := map[string]int{}
			for _, q := range quality.StandardQuestions {
				scores[q.Key] = min(5, max(1, 3+rnd.IntN(3)-rnd.IntN(2)))
			}
			r := quality.Response{Scores: scores, ServiceID: target.ServiceID}
			if rnd.IntN(4) == 0 {
				r.SubmittedOn = day
				if _, err := qs.EnterPaper(ctx, t, r); err != nil {
					return fmt.Errorf("paper questionnaire: %w", err)
				}
			} else {
				visitor++
				if err := qs.Answer(ctx, t, target, r, quality.Visitor{IP: "198.19.0." + strconv.Itoa(visitor%250)}); err != nil {
					return fmt.Errorf("questionnaire: %w", err)
				}
			}
		}
		// Complaints: about three a month.
		if rnd.IntN(10) == 0 {
			if err := pastComplaint(ctx, t, cs, choices, rnd, clock, day, now); err != nil {
				return err
			}
		}
	}
	return nil
}

var pastComplaintTexts = []string{
	"Ho chiesto un appuntamento con l'assistente sociale e ho atteso più di tre settimane.",
	"Lo sportello era chiuso nell'orario indicato sulla Carta.",
	"Il servizio di trasporto non è passato per due giorni senza avviso.",
	"Non ho ricevuto risposta alla domanda presentata il mese scorso.",
	"Le informazioni sul sito non erano aggiornate sui documenti da portare.",
}

// pastComplaint files a complaint on day and, four times in five, answers it some days later
// (before today): most within the 30 days, some late.
func pastComplaint(ctx context.Context, t *tenant.Tenant, cs *complaints.Service, choices []complaints.Choice, rnd *rand.Rand, clock *atomic.Int64, day, now time.Time) error {
	sub := complaints.Submission{Channel: []complaints.Channel{complaints.Web, complaints.Web, complaints.Phone, complaints.Counter}[rnd.IntN(4)],
		Consent: true, WhatHappened: pastComplaintTexts[rnd.IntN(len(pastComplaintTexts))],
		FirstName: "Cittadino", LastName: "di prova", Email: "cittadino.prova@example.it"}
	if len(choices) > 0 && rnd.IntN(4) > 0 {
		ch := choices[rnd.IntN(len(choices))]
		sub.ServiceID = &ch.ID
		if len(ch.Standards) > 0 {
			sub.Standard = ch.Standards[rnd.IntN(len(ch.Standards))]
		}
	}
	rec, err := cs.Submit(ctx, t, sub)
	if err != nil {
		return fmt.Errorf("complaint: %w", err)
	}
	if rnd.IntN(5) == 0 {
		return nil // still open
	}
	after := []int{3, 8, 12, 18, 25, 29, 35, 45}[rnd.IntN(8)]
	answered := day.AddDate(0, 0, after)
	if !answered.Before(now) {
		return nil
	}
	clock.Store(answered.UnixNano())
	outcome := []complaints.Outcome{complaints.Upheld, complaints.PartiallyUpheld, complaints.Rejected}[rnd.IntN(3)]
	_, err = cs.Reply(ctx, t, rec.Complaint.ID, outcome, "Gentile cittadino, abbiamo verificato quanto segnalato e ce ne scusiamo: il servizio ha ripreso regolarmente.")
	return err
}

// pastJobs drops the jobs of the seeded past: its e-mails and reminders are not to be sent.
type pastJobs struct{}

func (pastJobs) InsertTx(context.Context, pgx.Tx, river.JobArgs, *river.InsertOpts) error { return nil }
