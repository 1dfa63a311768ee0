package pagecache

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
)

// Page is one rendered response, stored once and then served as is. A render function fills
// Status (0 means 200), ContentType (empty means HTML), Body and, when needed, Header; the cache
// fills Gzip (and Brotli when enabled) and ETag. Return a new Page from every render: once
// render returns, the page and every slice it holds belong to the cache and are shared by
// concurrent responses, so never modify or reuse them.
type Page struct {
	Status      int
	ContentType string
	Body        []byte // identity bytes
	Gzip        []byte // Body gzip-compressed; nil when not worth it (tiny or incompressible body)
	Brotli      []byte // Body brotli-compressed; nil unless Options.Brotli
	ETag        string // strong validator of Body, quoted; the cache derives one per encoding
	// Header holds extra response headers, such as Content-Disposition for a PDF.
	Header map[string]string
	// TTL, when set, shortens how long this page is kept (both levels), for pages whose content
	// also depends on time (for example "offices open now").
	TTL time.Duration

	etagGzip, etagBrotli string
	size                 int64 // bytes held, for the local level's bound
}

const (
	// minCompressSize: below about a kilobyte gzip's header and the extra response header eat
	// most of the saving.
	minCompressSize = 1024
	// a compressed variant is kept only when it saves at least a tenth of the bytes.
	keepRatioNum, keepRatioDen = 9, 10
	brotliQuality              = 5 // good ratio at a few milliseconds per 40 KB, once per version
	entryOverhead              = 256
)

// prepare fills the defaults, the compressed variants and the validators. It runs once, when a
// page is rendered, never per request.
func (p *Page) prepare(gzipLevel int, withBrotli bool) error {
	if p.Status == 0 {
		p.Status = 200
	}
	if p.ContentType == "" {
		p.ContentType = "text/html; charset=utf-8"
	}
	if p.ETag == "" {
		p.ETag = etagOf(p.Body)
	}
	if p.Gzip == nil && len(p.Body) >= minCompressSize {
		g, err := gzipBytes(p.Body, gzipLevel)
		if err != nil {
			return err
		}
		if worthIt(g, p.Body) {
			p.Gzip = g
		}
	}
	if withBrotli && p.Brotli == nil && len(p.Body) >= minCompressSize {
		b, err := brotliBytes(p.Body)
		if err != nil {
			return err
		}
		if worthIt(b, p.Body) {
			p.Brotli = b
		}
	}
	p.finish()
	return nil
}

// finish derives what is computed from the stored fields (also after decoding from Redis).
func (p *Page) finish() {
	p.etagGzip, p.etagBrotli = variantETag(p.ETag, "-gz"), variantETag(p.ETag, "-br")
	p.size = int64(len(p.Body)+len(p.Gzip)+len(p.Brotli)+len(p.ContentType)+3*len(p.ETag)) + entryOverhead
	for k, v := range p.Header {
		p.size += int64(len(k) + len(v))
	}
}

func worthIt(compressed, body []byte) bool {
	return len(compressed)*keepRatioDen <= len(body)*keepRatioNum
}

// etagOf is a strong validator: the first 128 bits of the body's SHA-256, so two versions of a
// page never share one (a collision would answer 304 with a stale page).
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// variantETag gives each content coding its own strong validator, as HTTP requires of
// different representations ("abc" → "abc-gz"). A weak or unquoted tag is left as is.
func variantETag(etag, suffix string) string {
	if len(etag) < 2 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return etag
	}
	return etag[:len(etag)-1] + suffix + `"`
}

var gzipPools sync.Map // level → *sync.Pool of *gzip.Writer

func gzipBytes(body []byte, level int) ([]byte, error) {
	pv, ok := gzipPools.Load(level)
	if !ok {
		pv, _ = gzipPools.LoadOrStore(level, &sync.Pool{})
	}
	pool := pv.(*sync.Pool)
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	w, _ := pool.Get().(*gzip.Writer)
	if w == nil {
		var err error
		if w, err = gzip.NewWriterLevel(&buf, level); err != nil {
			return nil, fmt.Errorf("pagecache: gzip level %d: %w", level, err)
		}
	} else {
		w.Reset(&buf)
	}
	defer pool.Put(w)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func brotliBytes(body []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body)/3 + 64)
	w := brotli.NewWriterLevel(&buf, brotliQuality)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The Redis value of a page: a magic prefix, then uvarints and length-prefixed fields. A
// format change uses a new prefix, so old values read as misses instead of garbage.
const blobMagic = "pc1\x00"

func (p *Page) encode() []byte {
	n := len(blobMagic) + 64 + len(p.ContentType) + len(p.ETag) + len(p.Body) + len(p.Gzip) + len(p.Brotli)
	for k, v := range p.Header {
		n += len(k) + len(v) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, blobMagic...)
	b = binary.AppendUvarint(b, uint64(p.Status))
	b = binary.AppendUvarint(b, uint64(p.TTL/time.Millisecond))
	b = appendField(b, p.ContentType)
	b = appendField(b, p.ETag)
	b = binary.AppendUvarint(b, uint64(len(p.Header)))
	for k, v := range p.Header {
		b = appendField(b, k)
		b = appendField(b, v)
	}
	b = appendField(b, p.Body)
	b = appendField(b, p.Gzip)
	b = appendField(b, p.Brotli)
	return b
}

func appendField[T string | []byte](b []byte, f T) []byte {
	b = binary.AppendUvarint(b, uint64(len(f)))
	return append(b, f...)
}

var errBadBlob = errors.New("pagecache: malformed cached page")

// decodePage reads a Redis value. The page's strings and byte slices point into s: go-redis
// hands over a freshly allocated string, and cached pages are never modified, so viewing its
// bytes without copying them is safe and saves a copy of every page read from Redis.
func decodePage(s string) (*Page, error) {
	if len(s) < len(blobMagic) || s[:len(blobMagic)] != blobMagic {
		return nil, errBadBlob
	}
	d := decoder{s: s[len(blobMagic):]}
	p := &Page{}
	p.Status = int(d.uvarint())
	p.TTL = time.Duration(d.uvarint()) * time.Millisecond
	p.ContentType = d.field()
	p.ETag = d.field()
	if nh := d.uvarint(); nh > 0 && nh < 1024 {
		p.Header = make(map[string]string, nh)
		for range nh {
			k := d.field()
			p.Header[k] = d.field()
		}
	} else if nh != 0 {
		d.err = true
	}
	p.Body = d.bytes()
	p.Gzip = d.bytes()
	p.Brotli = d.bytes()
	if d.err || d.s != "" || p.Status < 100 || p.Status > 999 {
		return nil, errBadBlob
	}
	p.finish()
	return p, nil
}

type decoder struct {
	s   string
	err bool
}

func (d *decoder) uvarint() uint64 {
	if d.err {
		return 0
	}
	var v uint64
	for i := 0; i < len(d.s) && i < binary.MaxVarintLen64; i++ {
		c := d.s[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			d.s = d.s[i+1:]
			return v
		}
	}
	d.err = true
	return 0
}

func (d *decoder) field() string {
	n := d.uvarint()
	if d.err || n > uint64(len(d.s)) {
		d.err = true
		return ""
	}
	f := d.s[:n]
	d.s = d.s[n:]
	return f
}

// bytes views a field as a byte slice without copying (see decodePage); empty means nil.
func (d *decoder) bytes() []byte {
	f := d.field()
	if f == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(f), len(f))
}
