package web

// CitizenNav is the header menu of a tenant's citizen site: only pages that exist, each with
// the data-element the national site model reads. Every package that serves citizen pages
// (the site, complaints, quality) frames them with it. Novità and Vivere come with later work.
func CitizenNav(path string) []NavItem {
	return ActivateNav([]NavItem{
		{Label: "Amministrazione", URL: "/amministrazione", DataElement: "management"},
		{Label: "Servizi", URL: "/servizi", DataElement: "all-services"},
		{Label: "Tutti gli argomenti", URL: "/argomenti", DataElement: "all-topics"},
	}, path)
}

// CitizenFooter lists the citizen footer's links to the site's own pages that exist.
// "Segnala disservizio" leads to the complaint service with the label and data-element the
// site model checks.
func CitizenFooter() []NavItem {
	return []NavItem{
		{Label: "La Carta dei Servizi", URL: "/carta"},
		{Label: "Uffici e orari", URL: "/uffici"},
		{Label: "Dati aperti", URL: "/opendata"},
		{Label: "Segnala disservizio", URL: "/segnala-disservizio", DataElement: "report-inefficiency"},
	}
}

// Citizen is the frame of a citizen page rendered per request (a form): the tenant's
// header menu and footer on top of NewPage.
func (p Page) Citizen(path string) Page {
	p.Nav = CitizenNav(path)
	p.Footer = CitizenFooter()
	return p
}
