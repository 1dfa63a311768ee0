package audit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Change is one field of an entry: its Italian name and its value before and after. A create
// has only After, a delete only Before.
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// MaxValue is how many characters of a value an entry keeps: enough to recognise it.
const MaxValue = 200

// Changes lists the fields whose values differ between before and after, both keyed by the
// field's Italian name (see Snapshot). With before nil it lists every filled field of a
// created object; with after nil, of a deleted one. Values are truncated to MaxValue
// characters; a field whose name speaks of a password, token or secret is never recorded.
func Changes(before, after map[string]string) []Change {
	return changes(before, after, fieldRank)
}

// changes is Changes with the fields in the order of rank (then alphabetical).
func changes(before, after map[string]string, rank map[string]int) []Change {
	var out []Change
	seen := map[string]bool{}
	add := func(field string) {
		if seen[field] || secret(field) {
			return
		}
		seen[field] = true
		b, a := strings.TrimSpace(before[field]), strings.TrimSpace(after[field])
		if b == a {
			return
		}
		out = append(out, Change{Field: field, Before: Truncate(b, MaxValue), After: Truncate(a, MaxValue)})
	}
	for f := range before {
		add(f)
	}
	for f := range after {
		add(f)
	}
	slices.SortFunc(out, func(x, y Change) int {
		rx, okx := rank[x.Field]
		ry, oky := rank[y.Field]
		switch {
		case okx && oky && rx != ry:
			return rx - ry
		case okx != oky:
			if okx {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Field, y.Field)
	})
	return out
}

func secret(field string) bool {
	f := strings.ToLower(field)
	for _, w := range []string{"password", "token", "segret", "secret", "hash"} {
		if strings.Contains(f, w) {
			return true
		}
	}
	return false
}

// Truncate keeps the first n characters of s (not bytes: a value is never cut inside a
// letter), marking the cut with an ellipsis.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Snapshot returns the recordable fields of v — an object of one of the kinds in
// fieldLabels ("service", "office", "person", "category", "section", "profile") — keyed by
// their Italian names, ready for Changes. v is a struct (its fields named by their json tags)
// or a map[string]string of form values. Only the fields listed for the kind are taken, so a
// field nobody named (a password, a token, an id) never reaches the trail.
//
// A field holding the id of another object (the office of a service) is written as that
// object's name, looked up in refs: slices of structs with an ID (uuid.UUID) or a Code and a
// Name or Title field, e.g. the tenant's offices, people and categories.
func Snapshot(kind string, v any, refs ...any) map[string]string {
	return snapshot(kind, v, false, refs)
}

// Created lists the main fields of v, an object of kind just created (see Snapshot).
func Created(kind string, v any, refs ...any) []Change {
	return changes(nil, snapshot(kind, v, true, refs), kindRank[kind])
}

// Deleted lists the main fields of v, an object of kind being deleted (see Snapshot).
func Deleted(kind string, v any, refs ...any) []Change {
	return changes(snapshot(kind, v, true, refs), nil, kindRank[kind])
}

// Updated lists the fields that differ between before and after, two states of an object of
// kind (see Snapshot).
func Updated(kind string, before, after any, refs ...any) []Change {
	return changes(snapshot(kind, before, false, refs), snapshot(kind, after, false, refs), kindRank[kind])
}

func snapshot(kind string, v any, mainOnly bool, refs []any) map[string]string {
	fields := fieldLabels[kind]
	if mainOnly && !slices.ContainsFunc(fields, func(f field) bool { return f.main }) {
		mainOnly = false
	}
	raw := rawValues(v)
	names := refNames(refs)
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		val, ok := raw[f.key]
		if !ok || (mainOnly && !f.main) {
			continue
		}
		s := format(val, names)
		if l, ok := f.values[s]; ok {
			s = l
		} else if n, ok := names[s]; ok && f.byCode {
			s = n
		}
		out[f.label] = s
	}
	return out
}

// rawValues reads v as JSON so that struct fields go by their json names, like the form's.
func rawValues(v any) map[string]any {
	if m, ok := v.(map[string]string); ok {
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out map[string]any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func refNames(refs []any) map[string]string {
	names := map[string]string{}
	for _, r := range refs {
		rv := reflect.ValueOf(r)
		if rv.Kind() != reflect.Slice {
			continue
		}
		for i := range rv.Len() {
			e := reflect.Indirect(rv.Index(i))
			if e.Kind() != reflect.Struct {
				continue
			}
			var keys []string
			if f := e.FieldByName("ID"); f.IsValid() {
				if id, ok := f.Interface().(uuid.UUID); ok {
					keys = append(keys, id.String())
				}
			}
			if f := e.FieldByName("Code"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
				keys = append(keys, f.String())
			}
			for _, n := range []string{"Name", "Title", "Email"} {
				if f := e.FieldByName(n); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
					for _, k := range keys {
						names[k] = f.String()
					}
					break
				}
			}
		}
	}
	return names
}

// format writes a JSON value for people: lists joined, yes/no in Italian, the id of a known
// object as its name and of an unknown one as nothing at all (an id means nothing to a reader).
func format(v any, names map[string]string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if _, err := uuid.Parse(x); err == nil && len(x) == 36 {
			return names[x]
		}
		return x
	case bool:
		if x {
			return "Sì"
		}
		return "No"
	case float64:
		if x == 0 {
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := format(e, names); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		// A row of a list (a deadline, a standard): its texts, in a stable order.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if d := rowRank(a) - rowRank(b); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		var parts []string
		for _, k := range keys {
			if k == "id" || strings.HasSuffix(k, "_id") {
				continue
			}
			if s, ok := x[k].(string); ok && s != "" {
				parts = append(parts, s)
			} else if f, ok := x[k].(float64); ok && f != 0 {
				parts = append(parts, strconv.FormatFloat(f, 'f', -1, 64))
			}
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// rowRank puts the naming field of a row first.
func rowRank(k string) int {
	switch k {
	case "label", "title", "name":
		return 0
	case "dimension":
		return 1
	case "description":
		return 2
	}
	return 3
}

// Join names each of items with label and lists them, for a field such as the roles of a
// user: Join(roles, access.RoleLabel) → "Amministratore dell'ente, Redattore".
func Join(items []string, label func(string) string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = label(it)
	}
	return strings.Join(out, ", ")
}
