package pagecache

import (
	"hash/maphash"
	"sync"

	"github.com/google/uuid"
)

// local is the in-process level: an LRU bounded by the bytes its pages hold. It is split into
// shards, each with its own lock and an equal share of the bound, so replicas with many cores
// do not queue on one mutex for every hit.
type local struct {
	seed   maphash.Seed
	shards []shard
}

type shard struct {
	mu    sync.Mutex
	m     map[string]*entry
	root  entry // sentinel of the recency list: root.next is the most recent
	bytes int64
	max   int64
}

type entry struct {
	key        string
	tenant     uuid.UUID
	page       *Page
	expires    int64 // unix nanoseconds
	prev, next *entry
}

// shardSize: one shard per 8 MiB of bound (at most 8), so a shard still holds a large PDF.
const shardSize = 8 << 20

func newLocal(maxBytes int64) *local {
	n := int(min(max(maxBytes/shardSize, 1), 8))
	l := &local{seed: maphash.MakeSeed(), shards: make([]shard, n)}
	for i := range l.shards {
		s := &l.shards[i]
		s.m = make(map[string]*entry)
		s.root.prev, s.root.next = &s.root, &s.root
		s.max = maxBytes / int64(n)
	}
	return l
}

// shardOf and shardOfString pick a key's shard (maphash hashes a string as its bytes).
func (l *local) shardOf(key []byte) *shard {
	if len(l.shards) == 1 {
		return &l.shards[0]
	}
	return &l.shards[maphash.Bytes(l.seed, key)%uint64(len(l.shards))]
}

func (l *local) shardOfString(key string) *shard {
	if len(l.shards) == 1 {
		return &l.shards[0]
	}
	return &l.shards[maphash.String(l.seed, key)%uint64(len(l.shards))]
}

// get returns the live page under key, marking it recently used. The key is a byte slice so
// that a hit builds it on the stack; the map lookup converts it without allocating.
func (l *local) get(key []byte, now int64) *Page {
	s := l.shardOf(key)
	s.mu.Lock()
	return s.hit(s.m[string(key)], now)
}

func (l *local) getString(key string, now int64) *Page {
	s := l.shardOfString(key)
	s.mu.Lock()
	return s.hit(s.m[key], now)
}

// hit finishes a lookup under s.mu, which it releases.
func (s *shard) hit(e *entry, now int64) *Page {
	if e == nil {
		s.mu.Unlock()
		return nil
	}
	if now >= e.expires {
		s.remove(e)
		s.mu.Unlock()
		return nil
	}
	s.moveToFront(e)
	p := e.page
	s.mu.Unlock()
	return p
}

// put stores p, evicting the least recently used pages beyond the bound; it reports how many
// it evicted. A page larger than a shard's share is not kept here (Redis still holds it).
func (l *local) put(key string, tenant uuid.UUID, p *Page, expires int64) (evicted int) {
	size := p.size + int64(len(key))
	s := l.shardOfString(key)
	if size > s.max {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[key]; old != nil {
		s.remove(old)
	}
	e := &entry{key: key, tenant: tenant, page: p, expires: expires}
	s.m[key] = e
	s.bytes += size
	e.prev, e.next = &s.root, s.root.next
	e.prev.next, e.next.prev = e, e
	for s.bytes > s.max {
		s.remove(s.root.prev)
		evicted++
	}
	return evicted
}

// dropTenants removes every page of the given tenants; it reports how many it removed.
func (l *local) dropTenants(tenants map[uuid.UUID]struct{}) int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		for e := s.root.next; e != &s.root; {
			next := e.next
			if _, ok := tenants[e.tenant]; ok {
				s.remove(e)
				n++
			}
			e = next
		}
		s.mu.Unlock()
	}
	return n
}

// usage reports the pages held and their bytes.
func (l *local) usage() (entries int, bytes int64) {
	for i := range l.shards {
		s := &l.shards[i]
		s.mu.Lock()
		entries += len(s.m)
		bytes += s.bytes
		s.mu.Unlock()
	}
	return entries, bytes
}

func (s *shard) remove(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	delete(s.m, e.key)
	s.bytes -= e.page.size + int64(len(e.key))
}

func (s *shard) moveToFront(e *entry) {
	if s.root.next == e {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = &s.root, s.root.next
	e.prev.next, e.next.prev = e, e
}
