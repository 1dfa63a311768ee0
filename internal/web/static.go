package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// The committed product files (app.css, app.js, fonts.css, README.txt) and, after
// `make assets`, vendor/ with Bootstrap Italia. "all:" keeps files starting with a dot or an
// underscore; README.txt is there so that the embed never fails when vendor/ is absent.
//
//go:embed all:static
var embeddedStatic embed.FS

// StaticPrefix is where the static files are served; mount StaticHandler at StaticPrefix+"*".
const StaticPrefix = "/static/"

// requiredVendor are the Bootstrap Italia files every layout needs.
var requiredVendor = []string{
	"vendor/bootstrap-italia/css/bootstrap-italia.min.css",
	"vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js",
	"vendor/bootstrap-italia/svg/sprites.svg",
	"vendor/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2",
	"vendor/bootstrap-italia/fonts/Lora/lora-v20-latin-ext_latin-regular.woff2",
	"vendor/bootstrap-italia/fonts/Roboto_Mono/roboto-mono-v13-latin-ext_latin-regular.woff2",
}

type staticFile struct {
	body  []byte
	gz    []byte // nil when compression does not pay
	hash  string // short content hash, the ?v= of fingerprinted URLs
	ctype string
}

// staticSet is every static file, read and hashed once.
type staticSet struct{ files map[string]*staticFile }

var (
	defaultStaticOnce sync.Once
	defaultStatic     *staticSet
	defaultStaticErr  error
)

// embeddedSet returns the static files of the binary, loaded on first use and shared by every
// Renderer (hashing and compressing 2 MB once is enough).
func embeddedSet() (*staticSet, error) {
	defaultStaticOnce.Do(func() {
		sub, err := fs.Sub(embeddedStatic, "static")
		if err != nil {
			defaultStaticErr = err
			return
		}
		defaultStatic, defaultStaticErr = loadStatic(sub)
	})
	return defaultStatic, defaultStaticErr
}

var cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")]+)(['"]?)\s*\)`)

// loadStatic reads every file of fsys. Our own stylesheets (outside vendor/) get their
// relative url() references rewritten to fingerprinted absolute URLs, so that fonts can be
// cached as immutable too; they are hashed after the rewrite.
func loadStatic(fsys fs.FS) (*staticSet, error) {
	s := &staticSet{files: map[string]*staticFile{}}
	var ownCSS []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		s.files[p] = &staticFile{body: b, ctype: contentType(p)}
		if strings.HasSuffix(p, ".css") && !strings.HasPrefix(p, "vendor/") {
			ownCSS = append(ownCSS, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	for p, f := range s.files {
		if !strings.HasSuffix(p, ".css") || strings.HasPrefix(p, "vendor/") {
			f.hash = shortHash(f.body)
		}
	}
	sort.Strings(ownCSS)
	for _, p := range ownCSS {
		f := s.files[p]
		dir := path.Dir(p)
		f.body = cssURL.ReplaceAllFunc(f.body, func(m []byte) []byte {
			sub := cssURL.FindSubmatch(m)
			ref := string(sub[2])
			if strings.Contains(ref, ":") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") {
				return m
			}
			target := path.Clean(path.Join(dir, ref))
			t, ok := s.files[target]
			if !ok || t.hash == "" {
				return m
			}
			return []byte("url('" + StaticPrefix + target + "?v=" + t.hash + "')")
		})
		f.hash = shortHash(f.body)
	}
	for _, f := range s.files {
		f.gz = maybeGzip(f.ctype, f.body)
	}
	return s, nil
}

func shortHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "image/svg+xml", "application/json", "font/ttf"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

func maybeGzip(ctype string, body []byte) []byte {
	if len(body) < 1024 || !compressible(ctype) {
		return nil
	}
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = w.Write(body)
	if w.Close() != nil || buf.Len() > len(body)*9/10 {
		return nil
	}
	return buf.Bytes()
}

var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".ttf":   "font/ttf",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".webp":  "image/webp",
	".ico":   "image/x-icon",
	".json":  "application/json",
	".map":   "application/json",
	".txt":   "text/plain; charset=utf-8",
}

func contentType(p string) string {
	if path.Base(p) == "LICENSE" || path.Base(p) == "VERSION" {
		return "text/plain; charset=utf-8"
	}
	if t, ok := contentTypes[strings.ToLower(path.Ext(p))]; ok {
		return t
	}
	return "application/octet-stream"
}

// missingVendor lists the required Bootstrap Italia files that are absent.
func (s *staticSet) missingVendor() []string {
	var out []string
	for _, p := range requiredVendor {
		if _, ok := s.files[p]; !ok {
			out = append(out, p)
		}
	}
	return out
}

// url returns the fingerprinted URL of the static file p (a path relative to the static
// folder, e.g. "app.css").
func (s *staticSet) url(p string) (string, bool) {
	f, ok := s.files[strings.TrimPrefix(p, "/")]
	if !ok {
		return StaticPrefix + strings.TrimPrefix(p, "/"), false
	}
	return StaticPrefix + strings.TrimPrefix(p, "/") + "?v=" + f.hash, true
}

// StaticHandler serves the embedded static files; mount it with
// app.Get(web.StaticPrefix+"*", r.StaticHandler()). A request whose ?v= matches the file's
// content hash is cacheable for a year as immutable; any other is revalidated with the ETag.
// Text files are sent gzip-compressed (compressed once, at start) to clients that accept it.
func (r *Renderer) StaticHandler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, ok := r.static.files[c.Params("*")]
		if !ok {
			return fiber.ErrNotFound
		}
		body, etag := f.body, `"`+f.hash+`"`
		if f.gz != nil {
			c.Vary(fiber.HeaderAcceptEncoding)
			if acceptsGzip(c.Get(fiber.HeaderAcceptEncoding)) {
				body, etag = f.gz, `"`+f.hash+`-gz"`
				c.Set(fiber.HeaderContentEncoding, "gzip")
			}
		}
		if c.Query("v") == f.hash {
			c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
		} else {
			c.Set(fiber.HeaderCacheControl, "public, no-cache")
		}
		c.Set(fiber.HeaderETag, etag)
		if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
			c.Response().Header.Del(fiber.HeaderContentEncoding)
			return c.SendStatus(fiber.StatusNotModified)
		}
		c.Set(fiber.HeaderContentType, f.ctype)
		return c.Send(body)
	}
}

func acceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q := 1.0
		if k, v, ok := strings.Cut(strings.TrimSpace(params), "="); ok && strings.TrimSpace(k) == "q" {
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}

func etagMatch(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}
