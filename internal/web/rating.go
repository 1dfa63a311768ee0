package web

// The rating block at the foot of citizen pages (layouts/rating.html) belongs to the page
// frame, so its texts and answers live here; internal/quality stores what it sends and checks
// the answers against these same lists. Texts verbatim from the national site model.
const (
	RatingTitle            = "Quanto sono chiare le informazioni su questa pagina?"
	RatingNegativeQuestion = "Dove hai incontrato le maggiori difficoltà?"
	RatingPositiveQuestion = "Quali sono stati gli aspetti che hai preferito?"
	RatingDetailsQuestion  = "Vuoi aggiungere altri dettagli?"
	RatingThanks           = "Grazie, il tuo parere ci aiuterà a migliorare il servizio!"
	// RatingPath is where the block posts.
	RatingPath = "/valutazione"
	// RatingThanksID is the fragment a plain (no-JavaScript) rating returns to: the page
	// shows the thanks through CSS :target, so the cached page stays the same bytes.
	RatingThanksID = "valutazione-grazie"
)

// RatingChoice is one answer of a follow-up panel: the code stored and the label shown.
type RatingChoice struct{ Code, Label string }

// The follow-up panels: RatingNegative after 1–3 stars, RatingPositive after 4–5.
var (
	RatingNegative = []RatingChoice{
		{"non-chiare", "A volte le indicazioni non erano chiare"},
		{"non-complete", "A volte le indicazioni non erano complete"},
		{"non-capivo", "A volte non capivo se stavo procedendo correttamente"},
		{"problemi-tecnici", "Ho avuto problemi tecnici"},
		{"altro-negativo", "Altro"},
	}
	RatingPositive = []RatingChoice{
		{"chiare", "Le indicazioni erano chiare"},
		{"complete", "Le indicazioni erano complete"},
		{"capivo", "Capivo sempre che stavo procedendo correttamente"},
		{"nessun-problema", "Non ho avuto problemi tecnici"},
		{"altro-positivo", "Altro"},
	}
)

// ratingStars lists the stars as the block renders them, highest first (Bootstrap Italia's
// rating styles fill the stars before the chosen one in reverse order).
var ratingStars = []string{"5", "4", "3", "2", "1"}
