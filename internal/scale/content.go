package scale

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cartasociale/carta/internal/catalog"
)

// ambitoKinds are the services an ambito runs for all its member comuni; a comune in an ambito
// does not also offer them itself.
var ambitoKinds = []string{"affido-familiare", "centro-antiviolenza", "casa-rifugio",
	"accoglienza-integrazione", "pronto-intervento-sociale", "assistenza-domiciliare-integrata"}

// entity is one synthetic tenant's identity as the texts name it.
type entity struct {
	index  int    // 1-based, within its kind
	ambito bool   // an ambito rather than a comune
	slug   string // c00017, a0003
	name   string // "Comune di Prova 17"
	city   string // "Prova 17"
	where  string // "a Prova 17", "nei comuni dell'ambito"
	of     string // "di Prova 17", "dell'ambito"
}

func comuneEntity(i int) entity {
	city := "Prova " + strconv.Itoa(i)
	return entity{index: i, slug: ComuneSlug(i), name: "Comune di " + city, city: city,
		where: "a " + city, of: "di " + city}
}

func ambitoEntity(i int) entity {
	return entity{index: i, ambito: true, slug: AmbitoSlug(i), name: "Ambito territoriale sociale di prova " + strconv.Itoa(i),
		city: "Prova " + strconv.Itoa(i), where: "in uno dei comuni dell'ambito", of: "dell'ambito"}
}

// ComuneSlug is the subdomain label of synthetic comune i (1-based): c00001, c00002, …
func ComuneSlug(i int) string { return fmt.Sprintf("c%05d", i) }

// AmbitoSlug is the subdomain label of synthetic ambito i (1-based): a0001, a0002, …
func AmbitoSlug(i int) string { return fmt.Sprintf("a%04d", i) }

// ComuneIstat is the ISTAT code of synthetic comune i: 900000 + i, a range no real comune uses.
func ComuneIstat(i int) string { return fmt.Sprintf("%06d", 900000+i) }

// draftContent is a tenant's whole draft Carta, ready to be written.
type draftContent struct {
	offices  []officeContent
	people   []personContent
	services []serviceContent
	closures []closure
}

type officeContent struct {
	slug, name, description, address, postalCode, city, phone, email, pec string
	mainDesk                                                              bool
	hours                                                                 []catalog.Interval
}

type personContent struct {
	name, role, area, email, phone string
	office                         int // index into offices
}

type closure struct {
	from, to time.Time
	reason   string
}

type serviceContent struct {
	slug, title, short, category                     string
	macro                                            int
	description, audience, howTo, neededIntro        string
	neededItems                                      []string
	obtained, timing, costKind, costText             string
	coverage                                         string
	office                                           int // index into offices, -1: none (the main desk)
	person                                           int // index into people
	digitalLabel, digitalURL, bookingURL, bookingTxt string
	constraints, specialCases, moreInfo, conditions  string
	contacts, unit, providers, natCat                string
	topics, keywords                                 []string
	standards                                        []catalog.Standard
	deadlines                                        []catalog.Deadline
}

// newDraft writes the draft of e with n services (an ambito gets its own shorter list), drawn
// deterministically from the corpus: the same tenant always gets the same Carta.
func newDraft(e entity, n int, now time.Time) draftContent {
	seed := uint64(e.index)
	if e.ambito {
		seed |= 1 << 40
	}
	r := rand.New(rand.NewPCG(seed, 0x5ca1e))
	d := draftContent{closures: closures(now)}
	domain := e.slug + ".example.it"
	phone := func() string { return fmt.Sprintf("0%d %06d", 10+r.IntN(89), r.IntN(1_000_000)) }
	postal := fmt.Sprintf("%05d", 10000+e.index%89999)

	offices := officeKinds
	if e.ambito {
		offices = officeKinds[:1]
	}
	for i, ok := range offices {
		o := officeContent{slug: ok.slug, name: ok.name, description: ok.desc, mainDesk: i == 0,
			address: fmt.Sprintf("%s %d", pick(r, streets), 1+r.IntN(120)), postalCode: postal, city: e.city,
			phone: phone(), email: ok.slug + "@" + domain}
		if i == 0 {
			o.pec = "protocollo@pec." + domain
			if e.ambito {
				o.name, o.slug, o.description = "Ufficio di Piano", "ufficio-di-piano", "Coordina i servizi sociali associati dei comuni dell'ambito."
			}
		}
		o.hours = weeklyHours(r, i)
		d.offices = append(d.offices, o)
	}

	roles := []struct{ role, area string }{
		{"Responsabile dei Servizi Sociali", "Servizi alla persona"},
		{"Assistente sociale", "Servizio sociale professionale"},
		{"Responsabile dei Servizi Educativi", "Scuola e prima infanzia"},
	}
	for i := range d.offices {
		name := pick(r, firstNames) + " " + pick(r, lastNames)
		role := roles[i%len(roles)]
		if e.ambito {
			role.role, role.area = "Coordinatore dell'Ufficio di Piano", "Programmazione sociale di ambito"
		}
		d.people = append(d.people, personContent{name: name, role: role.role, area: role.area,
			email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + domain, phone: phone(), office: i})
	}

	for _, k := range chooseKinds(r, e.ambito, n) {
		d.services = append(d.services, newService(r, e, k.kind, k.repeat, d, domain, now))
	}
	return d
}

type chosen struct {
	kind   *kind
	repeat int // 0 for the first service of its kind
}

// chooseKinds picks n kinds in a tenant-specific order: an ambito's from ambitoKinds, a
// comune's from the others. Beyond the corpus, kinds repeat with a suffix.
func chooseKinds(r *rand.Rand, ambito bool, n int) []chosen {
	var pool []*kind
	for i := range kinds {
		if slices.Contains(ambitoKinds, kinds[i].slug) == ambito {
			pool = append(pool, &kinds[i])
		}
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := make([]chosen, 0, n)
	for i := range n {
		out = append(out, chosen{kind: pool[i%len(pool)], repeat: i / len(pool)})
	}
	return out
}

var areas = []string{"zona nord", "zona sud", "centro storico", "frazioni", "area est", "area ovest"}

func newService(r *rand.Rand, e entity, k *kind, repeat int, d draftContent, domain string, now time.Time) serviceContent {
	title := k.title
	if len(k.variants) > 0 && r.IntN(5) < 2 {
		title = pick(r, k.variants)
	}
	slug := k.slug
	if repeat > 0 {
		area := areas[(repeat-1)%len(areas)]
		title += " – " + area
		slug += "-" + strings.ReplaceAll(area, " ", "-")
		if repeat > len(areas) {
			slug += "-" + strconv.Itoa(repeat)
			title += " " + strconv.Itoa(repeat)
		}
	}
	office := 1 % len(d.offices)
	switch {
	case e.ambito:
		office = -1
	case k.category == "ACC":
		office = 0
	case k.natCat == "Educazione e formazione" && len(d.offices) > 2:
		office = 2
	case r.IntN(4) == 0:
		office = -1 // handled at the one-stop desk
	}
	person := 0
	if office > 0 {
		person = office
	}
	ufficio := "lo sportello sociale"
	if office > 0 {
		ufficio = "l'" + strings.ToLower(d.offices[office].name[:1]) + d.offices[office].name[1:]
	}
	fill := strings.NewReplacer("{chi}", k.who, "{servizio}", strings.ToLower(title[:1])+title[1:],
		"{comune}", e.city, "{di}", e.of, "{presso}", e.where, "{ufficio}", ufficio)
	para := func(pool []string, lo, hi int) string {
		return fill.Replace(strings.Join(sample(r, pool, lo+r.IntN(hi-lo+1)), " "))
	}

	s := serviceContent{
		slug: slug, title: title, short: k.short, category: k.category, macro: k.macro,
		description: k.what + " " + chunks(r, fill, descriptionPool, 26+r.IntN(5), 5),
		audience:    fill.Replace("Possono accedere al servizio {chi}, se hanno la residenza {presso}.") + " " + para(audiencePool[1:], 7, 9),
		neededIntro: pick(r, neededIntroPool),
		neededItems: sample(r, neededItemsPool, 6+r.IntN(4)),
		obtained:    chunks(r, fill, obtainedPool, 5+r.IntN(3), 2),
		timing:      chunks(r, fill, timingPool, 5+r.IntN(3), 2),
		costKind:    k.cost,
		costText:    strings.Join(costPool[k.cost], " "),
		coverage:    "comune",
		office:      office, person: person,
		constraints:  "- " + strings.Join(sample(r, constraintsPool, 4+r.IntN(2)), "\n- "),
		specialCases: para(specialCasesPool, 5, 6),
		moreInfo: para(moreInfoPool, 5, 6) + "\n\n" + strings.Join(sample(r, faqPool, 14+r.IntN(5)), "\n\n") +
			"\n\n**Normativa di riferimento**\n\n- " + strings.Join(sample(r, lawsPool, 5+r.IntN(4)), "\n- "),
		conditions: chunks(r, fill, conditionsPool, 9+r.IntN(2), 3),
		contacts:   fill.Replace(strings.Join(contactsPool, " ")),
		unit:       d.people[person].area,
		natCat:     k.natCat,
		topics:     k.topics,
		keywords:   k.keywords,
	}
	if s.natCat == "" {
		s.natCat = "Salute, benessere e assistenza"
	}
	if e.ambito {
		s.coverage = "ambito"
		s.unit = "Ufficio di Piano " + e.of
	}
	steps := sample(r, howToPool, 7+r.IntN(2))
	for i := range steps {
		steps[i] = strconv.Itoa(i+1) + ". " + fill.Replace(steps[i])
	}
	s.howTo = strings.Join(steps, "\n") + "\n\n" + para(helpPool, 3, 4)
	if r.IntN(2) == 0 {
		s.providers = para(providersPool, 1, 2)
	}
	if r.IntN(3) == 0 {
		s.digitalLabel = "Presenta la domanda online"
		s.digitalURL = "https://servizi." + domain + "/domande/" + slug
	}
	if r.IntN(4) == 0 {
		s.bookingURL = "https://prenota." + domain + "/" + slug
		s.bookingTxt = "Puoi prenotare il colloquio anche online, scegliendo giorno e ora."
	}
	// Every service commits to the first standard (time to the first interview) and to three
	// of the others.
	chosenStd := []int{0}
	for _, k := range sampleIndex(r, len(standardsPool)-1, 3) {
		chosenStd = append(chosenStd, k+1)
	}
	for _, k := range chosenStd {
		st := standardsPool[k]
		target := st.target
		s.standards = append(s.standards, catalog.Standard{Dimension: st.dim, Description: st.desc,
			Indicator: st.indicator, Formula: st.formula, Target: &target, Unit: st.unit, HigherIsBetter: st.higher})
	}
	for _, k := range sampleIndex(r, len(deadlinesPool), 4+r.IntN(3)) {
		dl := deadlinesPool[k]
		d := catalog.Deadline{Label: dl.label, Description: dl.desc}
		if dl.month > 0 {
			d.DueOn = nextDate(now, time.Month(dl.month), dl.day).Format(time.DateOnly)
		}
		s.deadlines = append(s.deadlines, d)
	}
	return s
}

// weeklyHours gives office i plausible hours: the desk opens every weekday morning and two
// afternoons, the others three mornings.
func weeklyHours(r *rand.Rand, i int) []catalog.Interval {
	opens := []string{"08:30", "09:00", "09:00", "09:30"}[r.IntN(4)]
	closes := []string{"12:00", "12:30", "13:00"}[r.IntN(3)]
	var out []catalog.Interval
	switch i {
	case 0:
		for day := 1; day <= 5; day++ {
			out = append(out, catalog.Interval{Weekday: day, Opens: opens, Closes: closes})
		}
		for _, day := range []int{2, 4} {
			out = append(out, catalog.Interval{Weekday: day, Opens: "15:00", Closes: []string{"17:00", "17:30", "18:00"}[r.IntN(3)]})
		}
	default:
		days := [][]int{{1, 3, 5}, {2, 3, 4}, {1, 2, 4}}[r.IntN(3)]
		for _, day := range days {
			out = append(out, catalog.Interval{Weekday: day, Opens: opens, Closes: closes})
		}
	}
	return out
}

// closures are the national holidays and the summer closure of the coming twelve months.
func closures(now time.Time) []closure {
	var out []closure
	for _, h := range holidays {
		from := nextDate(now, time.Month(h.month), h.day)
		to := time.Date(from.Year(), time.Month(h.toMonth), h.toDay, 0, 0, 0, 0, time.UTC)
		if to.Before(from) {
			to = to.AddDate(1, 0, 0)
		}
		out = append(out, closure{from: from, to: to, reason: h.reason})
	}
	return out
}

// nextDate is the next month/day on or after now's date.
func nextDate(now time.Time, m time.Month, day int) time.Time {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	d := time.Date(now.Year(), m, day, 0, 0, 0, 0, time.UTC)
	if d.Before(today) {
		d = d.AddDate(1, 0, 0)
	}
	return d
}

// chunks draws n distinct sentences of pool and splits them into paragraphs.
func chunks(r *rand.Rand, fill *strings.Replacer, pool []string, n, paragraphs int) string {
	ss := sample(r, pool, n)
	per := max(1, (len(ss)+paragraphs-1)/paragraphs)
	var ps []string
	for len(ss) > 0 {
		k := min(per, len(ss))
		ps = append(ps, fill.Replace(strings.Join(ss[:k], " ")))
		ss = ss[k:]
	}
	return strings.Join(ps, "\n\n")
}

// sampleIndex returns n distinct indexes below size, ascending.
func sampleIndex(r *rand.Rand, size, n int) []int {
	idx := r.Perm(size)[:min(n, size)]
	slices.Sort(idx)
	return idx
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// sample returns n distinct elements of s in their original order (texts read in a sensible
// sequence), or all of s when n is larger.
func sample(r *rand.Rand, s []string, n int) []string {
	if n >= len(s) {
		return slices.Clone(s)
	}
	idx := r.Perm(len(s))[:n]
	slices.Sort(idx)
	out := make([]string, n)
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
