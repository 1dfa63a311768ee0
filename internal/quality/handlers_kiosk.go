package quality

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/cartasociale/carta/internal/apperr"
	"github.com/cartasociale/carta/internal/web"
)

// PathKiosk + the link's token is the counter kiosk's page.
const PathKiosk = "/sportello/"

// KioskLimit is how many faces one client IP (the tablet) may send to a tenant per hour: a busy
// counter, not a flood.
const KioskLimit = 600

func registerKiosk(app fiber.Router, h *handlers) {
	post := []fiber.Handler{}
	if h.d.Redis != nil {
		post = append(post, web.RateLimit(h.d.Redis, "kiosk", KioskLimit, time.Hour))
	}
	app.Get(PathKiosk+":token", h.kioskPage)
	app.Post(PathKiosk+":token", append(post, h.kioskRate)...)
}

type kioskPage struct {
	web.Page
	Kiosk   *Kiosk
	Action  string
	Faces   []Face
	Reasons []Option
	Reason  bool // the dissatisfied face was touched: ask why
	Thanks  bool
}

func kioskHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	c.Set("X-Robots-Tag", "noindex")
	c.Set("Referrer-Policy", "no-referrer") // the link's token never leaves as a Referer
}

func (h *handlers) kiosk(c *fiber.Ctx) (*Kiosk, string, error) {
	t, err := siteTenant(c)
	if err != nil {
		return nil, "", err
	}
	token := strings.Clone(c.Params("token"))
	if len(token) != 43 {
		return nil, "", apperr.ErrNotFound
	}
	k, err := h.svc.KioskByToken(c.UserContext(), t, token)
	return k, token, err
}

func (h *handlers) renderKiosk(c *fiber.Ctx, status int, k *Kiosk, token string, reason, thanks bool, errs map[string]string) error {
	kioskHeaders(c)
	p := web.NewPage(c, "Come è andata oggi? – "+k.OfficeName)
	p.Errors = errs
	return h.d.Render.Render(c, status, "quality/kiosk", kioskPage{Page: p, Kiosk: k, Action: PathKiosk + token,
		Faces: Faces, Reasons: KioskReasons, Reason: reason, Thanks: thanks})
}

func (h *handlers) kioskPage(c *fiber.Ctx) error {
	k, token, err := h.kiosk(c)
	if err != nil {
		return err
	}
	return h.renderKiosk(c, fiber.StatusOK, k, token, false, c.Query("grazie") == "1", nil)
}

func (h *handlers) kioskRate(c *fiber.Ctx) error {
	k, token, err := h.kiosk(c)
	if err != nil {
		return err
	}
	t, _ := siteTenant(c)
	face, reason := Face(strings.Clone(c.FormValue("face"))), strings.Clone(c.FormValue("reason"))
	if face == Dissatisfied && reason == "" && c.FormValue("step") != "reason" {
		return h.renderKiosk(c, fiber.StatusOK, k, token, true, false, nil)
	}
	err = h.svc.RateAtKiosk(c.UserContext(), t, token, face, reason)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.renderKiosk(c, fiber.StatusUnprocessableEntity, k, token, face == Dissatisfied, false, ae.Fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect(PathKiosk+token+"?grazie=1", fiber.StatusSeeOther)
}

// ---- staff ----

type kiosksPage struct {
	web.Page
	Kiosks  []Kiosk
	Offices []Option
	Issued  *IssuedKiosk
	Link    string
	Counts  map[uuid.UUID]map[Face]int
	Faces   []Face
}

func (h *handlers) kiosksList(c *fiber.Ctx) error {
	return h.showKiosks(c, fiber.StatusOK, nil, map[string]string{})
}

func (h *handlers) showKiosks(c *fiber.Ctx, status int, issued *IssuedKiosk, errs map[string]string) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ks, err := h.svc.Kiosks(ctx, t)
	if err != nil {
		return err
	}
	offices, err := h.svc.Offices(ctx, t)
	if err != nil {
		return err
	}
	counts := map[uuid.UUID]map[Face]int{}
	for _, k := range ks {
		if counts[k.ID], err = h.svc.KioskCounts(ctx, t, k.ID); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	p := h.staffPage(c, "Valutazione allo sportello", web.Crumb{Label: "Qualità", URL: "/admin/qualita"}, web.Crumb{Label: "Sportello"})
	p.Errors, p.Form = errs, map[string]string{}
	vm := kiosksPage{Page: p, Kiosks: ks, Offices: offices, Issued: issued, Counts: counts, Faces: Faces}
	if issued != nil && h.d.SiteURL != nil {
		vm.Link = strings.TrimSuffix(h.d.SiteURL(t.Slug), "/") + PathKiosk + issued.Token
	}
	return h.d.Render.Render(c, status, "quality/kiosks", vm)
}

func (h *handlers) kioskIssue(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(strings.Clone(c.FormValue("office")))
	if err != nil {
		return h.showKiosks(c, fiber.StatusUnprocessableEntity, nil, map[string]string{"office": MsgOffice})
	}
	k, err := h.svc.IssueKiosk(c.UserContext(), t, id)
	if ae, ok := apperr.As(err); ok && len(ae.Fields) > 0 {
		return h.showKiosks(c, fiber.StatusUnprocessableEntity, nil, ae.Fields)
	}
	if err != nil {
		return err
	}
	// The link is shown once, in this answer: only its hash is kept.
	return h.showKiosks(c, fiber.StatusOK, k, nil)
}

func (h *handlers) kioskRevoke(c *fiber.Ctx) error {
	t, err := staffTenant(c)
	if err != nil {
		return err
	}
	id, err := uuid.Parse(strings.Clone(c.Params("id")))
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := h.svc.RevokeKiosk(c.UserContext(), t, id); err != nil {
		return err
	}
	web.SetFlash(c, "success", "Postazione disattivata: il suo link non si apre più.")
	return c.Redirect("/admin/qualita/sportelli", fiber.StatusSeeOther)
}
