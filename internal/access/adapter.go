package access

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/cartasociale/carta/internal/db"
	"github.com/cartasociale/carta/internal/tenant"
)

// Adapter stores Casbin rules in the casbin_rule table. casbin_rule has no row-level security
// (it is read before any tenant is known), so every method runs in a system transaction.
//
// Casbin's adapter interface carries no context: each call gets its own deadline instead.
type Adapter struct {
	db      *tenant.DB
	timeout time.Duration
}

var (
	_ persist.Adapter      = (*Adapter)(nil)
	_ persist.BatchAdapter = (*Adapter)(nil)
)

// NewAdapter returns an adapter on d.
func NewAdapter(d *tenant.DB) *Adapter { return &Adapter{db: d, timeout: 30 * time.Second} }

func (a *Adapter) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), a.timeout)
}

// LoadPolicy loads every rule into m. Rows are cut to the number of fields the model declares
// for their ptype, so unused trailing columns never become part of a rule.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, cancel := a.ctx()
	defer cancel()
	var rows []db.CasbinRuleListRow
	err := a.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		var err error
		rows, err = tx.CasbinRuleList(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("load casbin rules: %w", err)
	}
	width := map[string]int{}
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			width[ptype] = len(ast.Tokens)
		}
	}
	for _, r := range rows {
		n, ok := width[r.Ptype]
		if !ok {
			// A rule type this model does not know (a newer release wrote it): skip it rather
			// than refuse to start.
			continue
		}
		vals := [6]string{r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
		line := make([]string, 0, n+1)
		line = append(line, r.Ptype)
		line = append(line, vals[:n]...)
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return fmt.Errorf("load casbin rule %v: %w", line, err)
		}
	}
	return nil
}

// SavePolicy replaces every stored rule with the rules of m, in one transaction.
func (a *Adapter) SavePolicy(m model.Model) error {
	var rules []ptypeRule
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, r := range ast.Policy {
				rules = append(rules, ptypeRule{ptype, r})
			}
		}
	}
	ctx, cancel := a.ctx()
	defer cancel()
	return a.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		if err := tx.CasbinRuleDeleteAll(ctx); err != nil {
			return err
		}
		return insertRules(ctx, tx, rules)
	})
}

// AddPolicy stores one rule; storing a rule that exists already is not an error.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicies(sec, ptype, [][]string{rule})
}

// AddPolicies stores rules in one statement.
func (a *Adapter) AddPolicies(sec, ptype string, rules [][]string) error {
	rs := make([]ptypeRule, len(rules))
	for i, r := range rules {
		rs[i] = ptypeRule{ptype, r}
	}
	ctx, cancel := a.ctx()
	defer cancel()
	return a.db.InSystemTx(ctx, func(tx *tenant.Tx) error { return insertRules(ctx, tx, rs) })
}

// RemovePolicy deletes one rule.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicies(sec, ptype, [][]string{rule})
}

// RemovePolicies deletes rules in one transaction.
func (a *Adapter) RemovePolicies(sec, ptype string, rules [][]string) error {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		for _, r := range rules {
			if err := deleteRule(ctx, tx, ptype, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveFilteredPolicy deletes the rules whose fields from fieldIndex on equal fieldValues; an
// empty value matches anything, as in Casbin's own adapters.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > 6 {
		return fmt.Errorf("remove filtered policy: fields %d..%d out of range", fieldIndex, fieldIndex+len(fieldValues))
	}
	var f [6]*string
	for i, v := range fieldValues {
		if v != "" {
			v := v
			f[fieldIndex+i] = &v
		}
	}
	ctx, cancel := a.ctx()
	defer cancel()
	return a.db.InSystemTx(ctx, func(tx *tenant.Tx) error {
		_, err := tx.CasbinRuleDeleteFiltered(ctx, db.CasbinRuleDeleteFilteredParams{
			Ptype: ptype, V0: f[0], V1: f[1], V2: f[2], V3: f[3], V4: f[4], V5: f[5],
		})
		return err
	})
}

type ptypeRule struct {
	ptype string
	rule  []string
}

var errRuleTooLong = errors.New("casbin rule has more than 6 fields")

func pad(rule []string) ([6]string, error) {
	var v [6]string
	if len(rule) > 6 {
		return v, errRuleTooLong
	}
	copy(v[:], rule)
	return v, nil
}

func insertRules(ctx context.Context, tx *tenant.Tx, rules []ptypeRule) error {
	if len(rules) == 0 {
		return nil
	}
	var p db.CasbinRuleInsertManyParams
	for _, r := range rules {
		v, err := pad(r.rule)
		if err != nil {
			return err
		}
		p.Ptype = append(p.Ptype, r.ptype)
		p.V0 = append(p.V0, v[0])
		p.V1 = append(p.V1, v[1])
		p.V2 = append(p.V2, v[2])
		p.V3 = append(p.V3, v[3])
		p.V4 = append(p.V4, v[4])
		p.V5 = append(p.V5, v[5])
	}
	return tx.CasbinRuleInsertMany(ctx, p)
}

func deleteRule(ctx context.Context, tx *tenant.Tx, ptype string, rule []string) error {
	v, err := pad(rule)
	if err != nil {
		return err
	}
	_, err = tx.CasbinRuleDelete(ctx, db.CasbinRuleDeleteParams{
		Ptype: ptype, V0: v[0], V1: v[1], V2: v[2], V3: v[3], V4: v[4], V5: v[5],
	})
	return err
}
