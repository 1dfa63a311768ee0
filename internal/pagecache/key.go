package pagecache

import (
	"strconv"

	"github.com/google/uuid"
)

// Key names one rendered page of one published state of a tenant's Carta. The versions are part
// of the key: a publication changes them, so pages of the previous state are simply never asked
// for again and expire on their own.
type Key struct {
	Tenant uuid.UUID // the tenant whose site serves the page
	Own    int       // the tenant's published version (0: nothing published)
	Ambito int       // its ambito's published version (0: no ambito, or nothing published)
	// Path identifies the page within the tenant's site: the URL path, plus a normalised query
	// (known parameters only, in a fixed order) when the page depends on it. Every distinct Path
	// is a separate entry, so never put a raw client-supplied query here. The page must not
	// depend on anything else of the request (host, cookies, headers): a tenant reached on two
	// hosts shares its entries.
	Path string
}

// String is the Redis key: page:{tenant}:v{own}.{ambito}:{path}. The braces make Redis Cluster
// hash only the tenant, so one tenant's pages share a slot.
func (k Key) String() string {
	var buf [128]byte
	return string(k.appendTo(buf[:0]))
}

// appendTo writes the key into dst without allocating when dst has room, so a local hit builds
// its lookup key on the stack.
func (k Key) appendTo(dst []byte) []byte {
	dst = append(dst, "page:{"...)
	dst = appendUUID(dst, k.Tenant)
	dst = append(dst, "}:v"...)
	dst = strconv.AppendInt(dst, int64(k.Own), 10)
	dst = append(dst, '.')
	dst = strconv.AppendInt(dst, int64(k.Ambito), 10)
	dst = append(dst, ':')
	return append(dst, k.Path...)
}

// appendUUID is uuid.UUID.String without the allocation.
func appendUUID(dst []byte, u uuid.UUID) []byte {
	const hex = "0123456789abcdef"
	for i, b := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hex[b>>4], hex[b&0x0f])
	}
	return dst
}
