package cache

import (
	"container/list"
	"sync"
)

// lru is a least-recently-used map bounded by the estimated bytes of its values (safe for concurrent use). A value
// larger than the whole bound is not kept.
type lru struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List // front = most recently used; elements hold *lruEntry
	items map[string]*list.Element
}

type lruEntry struct {
	key   string
	value any
	bytes int64
}

func newLRU(maxBytes int64) *lru {
	return &lru{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// get returns the value kept under key and marks it used.
func (l *lru) get(key string) (any, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry).value, true
}

// put keeps value under key (replacing what was there), then drops the least recently used values until the
// estimated bytes fit the bound.
func (l *lru) put(key string, value any, bytes int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[key]; ok {
		l.remove(e)
	}
	if bytes > l.max {
		return
	}
	l.items[key] = l.order.PushFront(&lruEntry{key: key, value: value, bytes: bytes})
	l.used += bytes
	for l.used > l.max {
		l.remove(l.order.Back())
	}
}

func (l *lru) remove(e *list.Element) {
	en := e.Value.(*lruEntry)
	l.order.Remove(e)
	delete(l.items, en.key)
	l.used -= en.bytes
}

// clear drops every value.
func (l *lru) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.order.Init()
	l.items = map[string]*list.Element{}
	l.used = 0
}

// size returns the number of values and their estimated bytes.
func (l *lru) size() (int, int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items), l.used
}

// entries returns the kept values, most recently used first.
func (l *lru) entries() []lruEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]lruEntry, 0, len(l.items))
	for e := l.order.Front(); e != nil; e = e.Next() {
		out = append(out, *e.Value.(*lruEntry))
	}
	return out
}
