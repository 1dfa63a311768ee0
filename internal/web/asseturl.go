package web

// AssetURL returns the fingerprinted URL of a static file (a path relative to the static
// folder, e.g. "favicon.svg"), for handlers that redirect to one.
func (r *Renderer) AssetURL(p string) string {
	u, _ := r.static.url(p)
	return u
}
