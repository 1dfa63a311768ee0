package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/cartasociale/carta/internal/principal"
	"github.com/cartasociale/carta/internal/tenant"
)

// Page is the base of every page's view model; view models embed it by value.
type Page struct {
	Title       string           // <title> and default h1
	Tenant      *tenant.Tenant   // nil on the platform host
	Profile     tenant.Profile   // the tenant's profile (header/footer); zero on platform host
	Staff       *principal.Staff // nil when not logged in
	CSRF        string           // token for the hidden input named "_csrf"
	Flash       *Flash           // one-shot message shown once after a redirect, or nil
	Errors      map[string]string
	Form        map[string]string // the user's input, for forms shown again
	Nav         []NavItem         // admin sidebar / citizen menu items that exist and are allowed
	Breadcrumbs []Crumb
	// Footer holds the citizen footer's links to the site's own pages that exist (FAQ,
	// "Segnala disservizio", note legali, "Piano di miglioramento del sito"), each with the
	// data-element the national site model expects. The accessibility and privacy links come
	// from Profile.
	Footer []NavItem
	// Rating is the path the rating block above the footer rates (layouts/rating.html): set on
	// the home, first- and second-level pages and service pages of the citizen site, "" for
	// no block.
	Rating string
}

// Flash is a one-shot message. Kind is one of success, info, warning, danger.
type Flash struct{ Kind, Message string }

// NavItem is an entry of a menu. DataElement is the attribute the national site model reads
// (management, news, all-services, live, ...); empty for staff menus.
type NavItem struct {
	Label, URL, DataElement string
	Active                  bool
}

// Crumb is one step of the breadcrumbs; the last one has no URL.
type Crumb struct{ Label, URL string }

// PageBase lets helpers reach the Page embedded in any view model.
func (p *Page) PageBase() *Page { return p }

// pager is implemented by *Page and by pointers to view models that embed Page.
type pager interface{ PageBase() *Page }

// NewPage fills Tenant, Profile, Staff, CSRF and Flash from the request.
func NewPage(c *fiber.Ctx, title string) Page {
	ctx := c.UserContext()
	return Page{
		Title:   title,
		Tenant:  tenant.FromContext(ctx),
		Profile: ProfileFrom(c),
		Staff:   principal.StaffFrom(ctx),
		CSRF:    csrfToken(c),
		Flash:   takeFlash(c),
	}
}

// ActivateNav marks as active the item whose URL is the longest prefix of path, so that a
// section stays highlighted on its sub-pages. It returns items for chaining.
func ActivateNav(items []NavItem, path string) []NavItem {
	best, bestLen := -1, 0
	for i, it := range items {
		u := it.URL
		match := path == u || (len(u) > 1 && len(path) > len(u) && path[:len(u)] == u && path[len(u)] == '/')
		if match && len(u) > bestLen {
			best, bestLen = i, len(u)
		}
	}
	for i := range items {
		items[i].Active = i == best
	}
	return items
}
