package pagecache

// Header parsing on the hot path: plain byte scanning, no allocation.

// acceptedEncodings reads an Accept-Encoding header: whether gzip and br may be sent. A coding
// with q=0 is refused; "*" stands for codings not named.
func acceptedEncodings(h []byte) (gzipOK, brOK bool) {
	const unset, refused, accepted = -1, 0, 1
	gz, br, star := unset, unset, unset
	for len(h) > 0 {
		var item []byte
		item, h = cut(h, ',')
		name, params := cut(item, ';')
		name = trimSpace(name)
		v := accepted
		if qIsZero(params) {
			v = refused
		}
		switch {
		case equalFold(name, "gzip"), equalFold(name, "x-gzip"):
			gz = v
		case equalFold(name, "br"):
			br = v
		case len(name) == 1 && name[0] == '*':
			star = v
		}
	}
	if gz == unset {
		gz = star
	}
	if br == unset {
		br = star
	}
	return gz == accepted, br == accepted
}

// qIsZero reports whether the parameters hold q=0 (or 0.0, 0.000).
func qIsZero(params []byte) bool {
	for len(params) > 0 {
		var p []byte
		p, params = cut(params, ';')
		k, v := cut(trimSpace(p), '=')
		if !equalFold(trimSpace(k), "q") {
			continue
		}
		v = trimSpace(v)
		if len(v) == 0 || v[0] != '0' {
			return false
		}
		for _, c := range v[1:] {
			if c != '.' && c != '0' {
				return false
			}
		}
		return true
	}
	return false
}

// etagMatches applies If-None-Match's weak comparison: any listed tag, W/ or not, equal to
// one of the page's validators, or "*".
func etagMatches(h []byte, tags ...string) bool {
	for len(h) > 0 {
		var t []byte
		t, h = cut(h, ',')
		t = trimSpace(t)
		if len(t) == 1 && t[0] == '*' {
			return true
		}
		if len(t) > 2 && t[0] == 'W' && t[1] == '/' {
			t = t[2:]
		}
		for _, want := range tags {
			if want != "" && string(t) == want {
				return true
			}
		}
	}
	return false
}

func cut(b []byte, sep byte) (before, after []byte) {
	for i, c := range b {
		if c == sep {
			return b[:i], b[i+1:]
		}
	}
	return b, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// equalFold compares ASCII case-insensitively (header tokens are ASCII).
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c, d := b[i], s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}
