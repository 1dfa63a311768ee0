package web

import (
	"fmt"
	"io/fs"
)

// The TrueType files of Titillium Web that scripts/assets.sh copies next to the web fonts: PDF
// generation embeds them (the Designers Italia typeface, with the accents and the € sign).
const pdfFontDir = "static/vendor/bootstrap-italia/fonts/Titillium_Web/"

var pdfFontFiles = [3]string{
	"titillium-web-v10-latin-ext_latin-regular.ttf",
	"titillium-web-v10-latin-ext_latin-700.ttf",
	"titillium-web-v10-latin-ext_latin-italic.ttf",
}

// PDFFonts returns the bytes of Titillium Web regular, bold (700) and italic as TrueType, from
// the files embedded in the binary. It fails when the binary was built without `make assets`.
func PDFFonts() (regular, bold, italic []byte, err error) {
	var out [3][]byte
	for i, name := range pdfFontFiles {
		b, err := fs.ReadFile(embeddedStatic, pdfFontDir+name)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("web: PDF font %s missing from the binary (run `make assets`): %w", name, err)
		}
		out[i] = b
	}
	return out[0], out[1], out[2], nil
}
