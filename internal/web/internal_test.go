package web

import (
	"io"
	"log/slog"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestMissingVendorFailsInProductionOnly(t *testing.T) {
	t.Parallel()
	st, err := loadStatic(fstest.MapFS{"app.css": {Data: []byte("body{}")}})
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	_, err = newRenderer(RendererOptions{Log: quiet}, st)
	require.ErrorContains(t, err, "make assets")

	r, err := newRenderer(RendererOptions{Dev: true, Log: quiet}, st)
	require.NoError(t, err)
	u, ok := r.static.url("app.css")
	require.True(t, ok)
	require.Regexp(t, `^/static/app\.css\?v=[0-9a-f]{12}$`, u)
}

func TestCSSURLRewrite(t *testing.T) {
	t.Parallel()
	st, err := loadStatic(fstest.MapFS{
		"fonts.css":          {Data: []byte(`a{src:url('vendor/f.woff2') format('woff2'), url("data:x"), url(missing.woff)}`)},
		"vendor/f.woff2":     {Data: []byte("font")},
		"vendor/lib/lib.css": {Data: []byte(`a{src:url('../f.woff2')}`)},
	})
	require.NoError(t, err)
	css := string(st.files["fonts.css"].body)
	require.Contains(t, css, "url('/static/vendor/f.woff2?v="+st.files["vendor/f.woff2"].hash+"')")
	require.Contains(t, css, `url("data:x")`)
	require.Contains(t, css, `url(missing.woff)`)
	require.Equal(t, `a{src:url('../f.woff2')}`, string(st.files["vendor/lib/lib.css"].body), "vendor CSS untouched")
	require.Equal(t, "font/woff2", st.files["vendor/f.woff2"].ctype)
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for h, want := range map[string]bool{
		"gzip": true, "gzip, deflate, br": true, "br;q=1.0, gzip;q=0.8": true,
		"gzip;q=0": false, "identity": false, "": false, "*": true, "deflate": false,
	} {
		require.Equal(t, want, acceptsGzip(h), h)
	}
}
