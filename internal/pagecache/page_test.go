package pagecache

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestAcceptedEncodings(t *testing.T) {
	for _, tc := range []struct {
		h      string
		gz, br bool
	}{
		{"", false, false},
		{"gzip", true, false},
		{"gzip, deflate, br, zstd", true, true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true, true},
		{"gzip;q=0", false, false},
		{"gzip; q=0.0", false, false},
		{"gzip;q=0.001", true, false},
		{"*", true, true},
		{"*;q=0", false, false},
		{"br;q=0, *", true, false},
		{"identity", false, false},
		{" GZip ,BR ", true, true},
		{"x-gzip", true, false},
		{"gzipx, brotli", false, false},
	} {
		gz, br := acceptedEncodings([]byte(tc.h))
		require.Equal(t, tc.gz, gz, "gzip in %q", tc.h)
		require.Equal(t, tc.br, br, "br in %q", tc.h)
	}
}

func TestETagMatches(t *testing.T) {
	tags := []string{`"abc"`, `"abc-gz"`, ""}
	for h, want := range map[string]bool{
		`"abc"`:           true,
		`W/"abc"`:         true,
		`"x", "abc-gz"`:   true,
		` "x" ,W/"abc" `:  true,
		`*`:               true,
		`"abcd"`:          false,
		`abc`:             false,
		``:                false,
		`"x", "y"`:        false,
		`W/"abc-gz-more"`: false,
	} {
		require.Equal(t, want, etagMatches([]byte(h), tags...), h)
	}
}

func TestPageRoundTrip(t *testing.T) {
	p := htmlPage(Key{Path: "/servizi/x", Own: 2}, 20<<10)
	p.Header = map[string]string{"Content-Disposition": `attachment; filename="carta.pdf"`, "X-Extra": "sì"}
	p.TTL = 90 * time.Second
	require.NoError(t, p.prepare(6, true))
	require.Equal(t, 200, p.Status)
	require.NotNil(t, p.Gzip)
	require.NotNil(t, p.Brotli)
	require.Less(t, len(p.Brotli), len(p.Gzip))

	q, err := decodePage(string(p.encode()))
	require.NoError(t, err)
	require.Equal(t, p.Status, q.Status)
	require.Equal(t, p.ContentType, q.ContentType)
	require.Equal(t, p.ETag, q.ETag)
	require.Equal(t, p.etagGzip, q.etagGzip)
	require.Equal(t, p.Header, q.Header)
	require.Equal(t, p.Body, q.Body)
	require.Equal(t, p.Gzip, q.Gzip)
	require.Equal(t, p.Brotli, q.Brotli)
	require.Equal(t, p.TTL, q.TTL)
	require.Equal(t, p.size, q.size)

	enc := string(p.encode())
	for _, bad := range []string{"", "pc1", "pc1\x00", enc[:len(enc)-1], enc + "x", "pc2\x00" + enc[4:]} {
		_, err := decodePage(bad)
		require.ErrorIs(t, err, errBadBlob, "%.20q", bad)
	}
}

func TestPrepare(t *testing.T) {
	tiny := &Page{Body: []byte("<p>ciao</p>")}
	require.NoError(t, tiny.prepare(6, true))
	require.Nil(t, tiny.Gzip)
	require.Nil(t, tiny.Brotli)
	require.Equal(t, "text/html; charset=utf-8", tiny.ContentType)

	noise := randomPage(8 << 10)
	require.NoError(t, noise.prepare(6, true))
	require.Nil(t, noise.Gzip, "incompressible bytes are served as they are")

	a, b := htmlPage(Key{Own: 1}, 4<<10), htmlPage(Key{Own: 2}, 4<<10)
	require.NoError(t, a.prepare(1, false))
	require.NoError(t, b.prepare(1, false))
	require.NotEqual(t, a.ETag, b.ETag)
	require.Equal(t, a.ETag[:len(a.ETag)-1]+`-gz"`, a.etagGzip)
	require.Nil(t, a.Brotli)
}

func TestKey(t *testing.T) {
	id := uuid.MustParse("0b6f3c1e-8a4d-4f5e-9c2b-7d1e0f9a3b24")
	k := Key{Tenant: id, Own: 17, Ambito: 4, Path: "/servizi?categoria=anziani"}
	require.Equal(t, "page:{0b6f3c1e-8a4d-4f5e-9c2b-7d1e0f9a3b24}:v17.4:/servizi?categoria=anziani", k.String())
	require.Equal(t, "page:{"+id.String()+"}:v0.0:", Key{Tenant: id}.String())
}

func TestBreakerLetsOneProbeThrough(t *testing.T) {
	var b breaker
	b.cooldown = int64(5 * time.Second)
	now := time.Now().UnixNano()
	require.True(t, b.allow(now))
	require.True(t, b.failure(now))
	require.False(t, b.failure(now), "already open")
	require.False(t, b.allow(now+int64(time.Second)))
	later := now + int64(6*time.Second)
	require.True(t, b.allow(later), "the first caller after the cool-down probes")
	require.False(t, b.allow(later), "the others keep skipping meanwhile")
	b.success()
	require.True(t, b.allow(later))
	require.False(t, b.open())
}
