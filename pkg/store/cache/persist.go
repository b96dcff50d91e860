package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/aiops/modelmonitor/pkg/store"
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
	// Every is the longest a new settled part waits before the file is written (0: DefaultPersistEvery).
	Every time.Duration
}

// DefaultPersistEvery is how long new settled parts wait before the file is rewritten: a dashboard's burst of
// queries is written once, and a restart loses at most a minute of settled parts (Grafana stops a plugin process
// without disposing its instances, so the file cannot wait for Dispose).
const DefaultPersistEvery = time.Minute

// fileSchema is the version of the cache file's layout and of what its parts mean; a file of another version is
// ignored and replaced. The plugin build (buildID) is in the header too, so a new build never reads an old file.
const fileSchema = 1

// fileFormat names the file's format in its header.
const fileFormat = "modelmonitor-window-cache"

// The file is JSON Lines: a header line, one line per kept part (most recently used first) and a trailer with the
// part count and the CRC-32C of every byte before it. JSON because it reads back exactly what was written: float64
// in its shortest round-trip form, nil and empty slices apart, pointers to zero (a label lag of 0 h) kept — gob
// drops the last two. A part holding a NaN or ±Inf, which JSON cannot hold, is left out of the file.
type fileHeader struct {
	Format   string `json:"format"`
	Schema   int    `json:"schema"`
	Build    string `json:"build"`
	Settings string `json:"settings"` // SHA-256 of the fingerprint
}

type fileLine struct {
	Key   string          `json:"k,omitempty"`
	Kind  string          `json:"t,omitempty"`
	Entry json.RawMessage `json:"e,omitempty"`
	End   *fileEnd        `json:"end,omitempty"`
}

type fileEnd struct {
	Parts int    `json:"parts"`
	CRC   uint32 `json:"crc32c"`
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// persister writes and reads one instance's cache file. Its status is what the health check shows.
type persister struct {
	path   string
	header fileHeader
	every  time.Duration
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
	every := p.Every
	if every <= 0 {
		every = DefaultPersistEvery
	}
	return &persister{path: filepath.Join(p.Dir, fileName(p.Instance, sum)), every: every,
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

// changed notes that s keeps a new settled part: the file is written within p.every.
func (p *persister) changed(s *Shared) {
	if p == nil || p.dirty.Swap(true) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.timer == nil && !p.off {
		p.timer = time.AfterFunc(p.every, func() { p.write(s.kept, s.opts.MaxBytes, false) })
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
		log.DefaultLogger.Warn("window cache: answers come from memory and the store only", "file", p.path, "error", err.Error())
		return
	}
	p.status, p.warning = fmt.Sprintf("%d parts written at %s", n, time.Now().UTC().Format(time.RFC3339)), ""
}

func (p *persister) writeFile(entries []lruEntry, maxBytes int64) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(p.path), ".modelmonitor-*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	crc := crc32.New(crcTable)
	w := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	written := int64(0)
	put := func(line []byte) error {
		written += int64(len(line)) + 1
		if _, err := w.Write(line); err != nil {
			return err
		}
		return w.WriteByte('\n')
	}
	head, err := json.Marshal(p.header)
	if err == nil {
		err = put(head)
	}
	parts := 0
	for _, e := range entries {
		if err != nil {
			break
		}
		line, ok := encodeLine(e)
		if !ok || written+int64(len(line))+1 > maxBytes {
			continue // NaN in the part, or beyond the bound on disk: asked from the store after a restart
		}
		err = put(line)
		parts++
	}
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		_, err = fmt.Fprintf(tmp, "{\"end\":{\"parts\":%d,\"crc32c\":%d}}\n", parts, crc.Sum32())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p.path)
	}
	return parts, err
}

// errForeign marks a file written under other settings, another schema or another build: ignored, not a fault.
var errForeign = errors.New("written by other settings or another build of the plugin")

// read returns the parts of the file, most recently used first (none when there is no file). Any damage — a line
// that does not parse, a missing trailer, a count or CRC that does not match, an unknown kind — rejects the whole
// file.
func (p *persister) read() ([]lruEntry, error) {
	f, err := os.Open(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	r := bufio.NewReaderSize(f, 1<<20)
	crc := crc32.New(crcTable)
	var out []lruEntry
	statements := map[string][]string{} // the parts of one call share their statements in memory again
	for first := true; ; first = false {
		line, err := r.ReadBytes('\n')
		if err != nil {
			if err == io.EOF {
				err = errors.New("truncated (no trailer)")
			}
			return nil, err
		}
		if first {
			var h fileHeader
			if json.Unmarshal(line, &h) != nil || h.Format != fileFormat {
				return nil, errors.New("not a window cache file (corrupt)")
			}
			if h != p.header {
				return nil, errForeign
			}
			crc.Write(line)
			continue
		}
		var l fileLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", len(out)+2, err)
		}
		if l.End != nil {
			if l.End.Parts != len(out) || l.End.CRC != crc.Sum32() {
				return nil, errors.New("the trailer does not match the parts (corrupt)")
			}
			if _, err := r.ReadByte(); err != io.EOF {
				return nil, errors.New("data after the trailer")
			}
			return out, nil
		}
		crc.Write(line)
		v, bytes, err := decodeEntry(l.Kind, l.Entry, statements)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", len(out)+2, err)
		}
		out = append(out, lruEntry{key: l.Key, value: v, bytes: bytes})
	}
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
		log.DefaultLogger.Warn("window cache: the cache file was ignored", "file", p.path, "error", err.Error())
		return
	}
	for i := len(entries) - 1; i >= 0; i-- {
		s.kept.put(entries[i].key, entries[i].value, entries[i].bytes)
	}
	s.fileRead.Store(int64(len(entries)))
	p.status = fmt.Sprintf("%d parts loaded", len(entries))
}

// encodeLine is a kept entry's line of the file (a fileLine, its entry encoded once); ok is false when the entry
// cannot be encoded (NaN, ±Inf).
func encodeLine(e lruEntry) ([]byte, bool) {
	kind, raw, ok := encodeEntry(e.value)
	if !ok {
		return nil, false
	}
	key, _ := json.Marshal(e.key) // a string always encodes
	line := append([]byte(`{"k":`), key...)
	line = append(line, `,"t":"`+kind+`","e":`...)
	line = append(line, raw...)
	return append(line, '}'), true
}

// encodeEntry is the kind and JSON of a kept entry; ok is false when it cannot be encoded (NaN, ±Inf).
func encodeEntry(v any) (kind string, raw []byte, ok bool) {
	switch v.(type) {
	case entry[store.Counts]:
		kind = "counts"
	case entry[store.Quality]:
		kind = "quality"
	case entry[store.Performance]:
		kind = "performance"
	case entry[store.ScoreHistogram]:
		kind = "scores"
	case entry[store.Profile]:
		kind = "profile"
	default:
		return "", nil, false
	}
	raw, err := json.Marshal(v)
	return kind, raw, err == nil
}

// decodeEntry reads an entry of the given kind, with its estimated bytes.
func decodeEntry(kind string, raw []byte, statements map[string][]string) (any, int64, error) {
	switch kind {
	case "counts":
		return decodeAs(countsShape, raw, statements)
	case "quality":
		return decodeAs(qualityShape, raw, statements)
	case "performance":
		return decodeAs(performanceShape, raw, statements)
	case "scores":
		return decodeAs(scoreHistogramShape, raw, statements)
	case "profile":
		return decodeAs(profileShape, raw, statements)
	}
	return nil, 0, fmt.Errorf("unknown part kind %q", kind)
}

func decodeAs[T any](sh shape[T], raw []byte, statements map[string][]string) (any, int64, error) {
	var e entry[T]
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return nil, 0, err
	}
	k := strings.Join(e.SQL, "\x00")
	if shared, ok := statements[k]; ok {
		e.SQL = shared
	} else {
		statements[k] = e.SQL
	}
	return e, e.size(sh), nil
}
