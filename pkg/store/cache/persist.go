package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Persist says where a Shared cache keeps its settled parts across restarts of the plugin (docs/cache.md,
// "Across restarts"). The zero value keeps them in memory only.
type Persist struct {
	// Dir is the directory of the cache file (absolute; created if missing). "" keeps the parts in memory only.
	Dir string
	// Instance names the file: the data source instance's UID (letters, digits, - and _, at most 64; anything
	// else, or "", is replaced by a hash of Fingerprint).
	Instance string
	// Fingerprint is everything the kept parts depend on that the keys leave out: the instance's settings. A file
	// written under another fingerprint, schema version or plugin build is ignored and replaced.
	Fingerprint string
	// Warn logs why the file is not used (message and key/value pairs, as Grafana's logger takes them); nil logs
	// nothing (Stats.Warning says it anyway).
	Warn func(msg string, keyvals ...any)
}

// warn calls Warn when set.
func (p Persist) warn(msg string, keyvals ...any) {
	if p.Warn != nil {
		p.Warn(msg, keyvals...)
	}
}

// persistEvery is how long new settled parts wait before the file is rewritten: a dashboard's burst of
// queries is written once, a rewrite (the whole file: seconds of CPU for a fleet's few hundred MB) comes at most
// every five minutes, and a restart loses at most five minutes of settled parts (Grafana stops a plugin process
// without disposing its instances, so the file cannot wait for Dispose).
const persistEvery = 5 * time.Minute

// persister writes and reads one instance's cache file. Its status is what the health check shows.
type persister struct {
	path   string
	warn   func(msg string, keyvals ...any) // Persist.warn
	header fileHeader
	dirty  atomic.Bool // settled parts kept since the last write

	io sync.Mutex // one load or write at a time (a query never waits for it: writes run on a timer)

	mu      sync.Mutex // guards the fields below
	timer   *time.Timer
	off     bool   // a write failed, or the cache is closed: nothing is written any more
	status  string // what the file did last (Stats.File)
	warning string // why the file is not used (Stats.Warning)
}

// newPersister prepares the file of p and checks that its directory can be written (a probe file is created and
// removed). It returns a nil persister and the reason when persistence is off or the directory is not usable.
func newPersister(p Persist) (*persister, string) {
	if p.Dir == "" {
		return nil, ""
	}
	if !filepath.IsAbs(p.Dir) {
		return nil, fmt.Sprintf("memory only: the cache directory %q is not absolute", p.Dir)
	}
	if err := os.MkdirAll(p.Dir, 0o750); err != nil {
		return nil, "memory only: " + err.Error()
	}
	probe, err := os.CreateTemp(p.Dir, ".modelmonitor-probe-*")
	if err != nil {
		return nil, "memory only: the cache directory is not writable: " + err.Error()
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	sum := sha256.Sum256([]byte(p.Fingerprint))
	return &persister{path: filepath.Join(p.Dir, fileName(p.Instance, sum)), warn: p.warn,
		header: fileHeader{Format: fileFormat, Schema: fileSchema, Build: buildID(), Settings: hex.EncodeToString(sum[:])}}, ""
}

var instanceRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// fileName is the cache file's name: modelmonitor-<instance UID>.cache, or a hash of the settings when the UID is
// not a plain name.
func fileName(instance string, settings [32]byte) string {
	if !instanceRe.MatchString(instance) {
		instance = hex.EncodeToString(settings[:8])
	}
	return "modelmonitor-" + instance + ".cache"
}

// buildID identifies the plugin build: its VCS revision when stamped, and the executable's size and time.
func buildID() string {
	var parts []string
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				parts = append(parts, s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			parts = append(parts, fmt.Sprint(fi.Size()), fmt.Sprint(fi.ModTime().UnixNano()))
		}
	}
	return strings.Join(parts, "/")
}

// changed notes that s keeps a new settled part: the file is written within persistEvery.
func (p *persister) changed(s *Shared) {
	if p == nil || p.dirty.Swap(true) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer == nil && !p.off {
		p.timer = time.AfterFunc(persistEvery, func() { p.write(s.kept, s.opts.MaxBytes, false) })
	}
}

// stop cancels a pending write and writes now what is not written yet (Close).
func (p *persister) stop(kept *lru, maxBytes int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	if p.timer != nil {
		p.timer.Stop()
	}
	p.mu.Unlock()
	p.write(kept, maxBytes, true)
}

// write replaces the file by the parts kept, most recently used first, up to maxBytes of file; last marks the
// final write (Close), after which nothing is written. A failure leaves the previous file in place (the new one is
// written aside and renamed over it) and turns persistence off: memory only, with a warning.
func (p *persister) write(kept *lru, maxBytes int64, last bool) {
	p.io.Lock()
	defer p.io.Unlock()
	p.mu.Lock()
	p.timer = nil
	off := p.off
	p.off = p.off || last
	p.mu.Unlock()
	if off || !p.dirty.Swap(false) {
		return
	}
	n, err := p.writeFile(kept.entries(), maxBytes)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.off = true
		p.status = "not written"
		p.warning = "memory only: the cache file could not be written: " + err.Error()
		p.warn("window cache: answers come from memory and the store only", "file", p.path, "error", err.Error())
		return
	}
	p.status, p.warning = fmt.Sprintf("%d parts written at %s", n, time.Now().UTC().Format(time.RFC3339)), ""
}

// load puts the file's parts into the cache (once, on the first aggregate call): the least recently used first,
// so that the LRU order is the file's. A file that cannot be read is ignored with a warning; it is replaced by
// the next write.
func (s *Shared) load() {
	p := s.disk
	if p == nil {
		return
	}
	p.io.Lock()
	defer p.io.Unlock()
	entries, err := p.read()
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case errors.Is(err, errForeign):
		p.status = "a file " + err.Error() + " was ignored; it is replaced by the next write"
		return
	case err != nil:
		p.status = "ignored"
		p.warning = "the cache file was ignored (it is replaced by the next write): " + err.Error()
		p.warn("window cache: the cache file was ignored", "file", p.path, "error", err.Error())
		return
	}
	for i := len(entries) - 1; i >= 0; i-- {
		s.kept.put(entries[i].key, entries[i].value, entries[i].bytes)
	}
	s.fileRead.Store(int64(len(entries)))
	p.status = fmt.Sprintf("%d parts loaded", len(entries))
}
