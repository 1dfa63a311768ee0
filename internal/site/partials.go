package site

import (
	"io/fs"
	"strings"
)

// withPartials serves the page templates with the package's shared blocks appended to each
// page, so every page can use them although the renderer parses pages one by one.
type withPartials struct {
	fs.FS
	partials []byte
}

// ReadFile implements fs.ReadFileFS (what the renderer reads pages with).
func (w withPartials) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(w.FS, name)
	if err != nil || !strings.HasSuffix(name, ".html") {
		return b, err
	}
	out := make([]byte, 0, len(b)+1+len(w.partials))
	out = append(append(append(out, b...), '\n'), w.partials...)
	return out, nil
}

func pagesWithPartials(f fs.FS, partials string) fs.FS {
	b, err := fs.ReadFile(f, partials)
	if err != nil {
		panic(err)
	}
	return withPartials{FS: f, partials: b}
}
