package complaints

import (
	"bytes"
	"encoding/binary"
)

// Photos taken with a phone carry metadata the complaint does not need and the citizen rarely
// knows they send: the place the photo was taken (EXIF GPS), the device, the time, names in
// comments. Data protection asks for personal data only where needed, so an image is kept
// without its metadata blocks; the picture itself is untouched (no re-encoding). PDFs are
// documents the citizen composed and are kept as they are.

// stripMetadata returns data of type ct without its metadata, or data itself when it is not
// an image or its structure is not what it should be (sniff already decoded its header).
func stripMetadata(ct string, data []byte) []byte {
	var out []byte
	var ok bool
	switch ct {
	case "image/jpeg":
		out, ok = stripJPEG(data)
	case "image/png":
		out, ok = stripPNG(data)
	}
	if !ok {
		return data
	}
	return out
}

// stripJPEG drops the APP1 (EXIF, XMP), APP13 (IPTC) and comment segments before the scan;
// JFIF, the ICC colour profile, Adobe's colour transform and the image data stay.
func stripJPEG(data []byte) ([]byte, bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return nil, false
	}
	out := make([]byte, 0, len(data))
	out = append(out, 0xFF, 0xD8)
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil, false
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, or end: the rest as it is
			return append(out, data[i:]...), true
		}
		if marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) { // no length
			out = append(out, data[i:i+2]...)
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		if n < 2 || i+2+n > len(data) {
			return nil, false
		}
		switch marker {
		case 0xE1, 0xED, 0xFE: // EXIF and XMP, IPTC, comment
		default:
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	return nil, false
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// stripPNG drops the eXIf, textual (tEXt, zTXt, iTXt) and tIME chunks.
func stripPNG(data []byte) ([]byte, bool) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, false
	}
	out := make([]byte, 0, len(data))
	out = append(out, pngSignature...)
	i := len(pngSignature)
	for i+12 <= len(data) {
		n := int(binary.BigEndian.Uint32(data[i : i+4]))
		end := i + 12 + n
		if n < 0 || end > len(data) || end < i {
			return nil, false
		}
		switch string(data[i+4 : i+8]) {
		case "eXIf", "tEXt", "zTXt", "iTXt", "tIME":
		default:
			out = append(out, data[i:end]...)
		}
		if string(data[i+4:i+8]) == "IEND" {
			return out, true
		}
		i = end
	}
	return nil, false
}
