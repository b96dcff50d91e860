package cache

import (
	"bufio"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aiops/modelmonitor/pkg/store"
)

// The cache file: a header line (JSON: format, schema version, plugin build, SHA-256 of the settings), then a gob
// stream of records — each a fileRecord naming a part (key, kind) followed by its entry, most recently used first,
// the last record End with the number of parts — and the CRC-32C of every byte before it (4 bytes, big-endian).
//
// gob because it reads the parts back several times faster than JSON (floats are bits, not text: a fleet's
// 240 MB of JSON took seconds of CPU to decode), and bit for bit. What gob cannot carry exactly — an empty but
// non-nil slice, a pointer to a zero value (a label lag of 0 h), a negative zero — it would read back as nil, nil
// and +0; a part holding one (exactGob) is left out of the file and asked from the store after a restart.

// fileSchema is the version of the cache file's layout and of what its parts mean; a file of another version is
// ignored and replaced. The plugin build (buildID) is in the header too, so a new build never reads an old file.
const fileSchema = 3 // 3: performance parts hold their lag histogram (store.LagBucket)

// fileFormat names the file's format in its header.
const fileFormat = "modelmonitor-window-cache"

type fileHeader struct {
	Format   string `json:"format"`
	Schema   int    `json:"schema"`
	Build    string `json:"build"`
	Settings string `json:"settings"` // SHA-256 of the fingerprint
}

// fileRecord precedes each part in the gob stream (Key, Kind); the last one has End and the number of parts.
type fileRecord struct {
	Key, Kind string
	End       bool
	Parts     int
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errForeign marks a file written under other settings, another schema or another build: ignored, not a fault.
var errForeign = errors.New("written by other settings or another build of the plugin")

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// writeFile writes entries (most recently used first) to a new file beside p.path and renames it over p.path. It
// stops before the part whose estimated bytes would take the file beyond maxBytes, and leaves out the parts
// exactGob rejects. It returns the number of parts written.
func (p *persister) writeFile(entries []lruEntry, maxBytes int64) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(p.path), ".modelmonitor-*.tmp")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	crc := crc32.New(crcTable)
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, crc), 1<<20)
	cw := &countingWriter{w: bw}
	head, err := json.Marshal(p.header)
	if err == nil {
		_, err = cw.Write(append(head, '\n'))
	}
	enc := gob.NewEncoder(cw)
	parts := 0
	for _, e := range entries {
		if err != nil || cw.n+e.bytes > maxBytes {
			break
		}
		kind := kindOf(e.value)
		if kind == "" || !exactGob(e.value) {
			continue
		}
		if err = enc.Encode(fileRecord{Key: e.key, Kind: kind}); err == nil {
			err = enc.Encode(e.value)
			parts++
		}
	}
	if err == nil {
		err = enc.Encode(fileRecord{End: true, Parts: parts})
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = binary.Write(tmp, binary.BigEndian, crc.Sum32())
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

// read returns the parts of the file, most recently used first (none when there is no file). A header of another
// schema, build or settings is errForeign; any damage — not a cache file, a CRC that does not match (truncated,
// corrupt), a record that does not decode, a count that does not match, an unknown kind — rejects the whole file.
func (p *persister) read() ([]lruEntry, error) {
	f, err := os.Open(p.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	br := bufio.NewReaderSize(f, 1<<20)
	line, err := br.ReadBytes('\n')
	var h fileHeader
	if err != nil || json.Unmarshal(line, &h) != nil || h.Format != fileFormat {
		return nil, errors.New("not a window cache file (corrupt)")
	}
	if h != p.header {
		return nil, errForeign
	}
	if err := checkCRC(f); err != nil {
		return nil, err
	}
	if _, err := f.Seek(int64(len(line)), io.SeekStart); err != nil {
		return nil, err
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var out []lruEntry
	statements := map[string][]string{} // the parts of one call share their statements in memory again
	for {
		var r fileRecord
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("part %d: %w", len(out)+1, err)
		}
		if r.End {
			if r.Parts != len(out) {
				return nil, errors.New("the number of parts does not match (corrupt)")
			}
			return out, nil
		}
		v, bytes, err := decodeEntry(r.Kind, dec, statements)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", len(out)+1, err)
		}
		out = append(out, lruEntry{key: r.Key, value: v, bytes: bytes})
	}
}

// checkCRC compares the CRC-32C of the file's bytes but the last 4 with those 4.
func checkCRC(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < 4 {
		return errors.New("truncated (no checksum)")
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	crc := crc32.New(crcTable)
	if _, err := io.CopyN(crc, f, fi.Size()-4); err != nil {
		return err
	}
	var want uint32
	if err := binary.Read(f, binary.BigEndian, &want); err != nil {
		return err
	}
	if crc.Sum32() != want {
		return errors.New("the checksum does not match (truncated or corrupt)")
	}
	return nil
}

// kindOf names the aggregate type of a kept entry ("" for anything else).
func kindOf(v any) string {
	switch v.(type) {
	case entry[store.Counts]:
		return "counts"
	case entry[store.Quality]:
		return "quality"
	case entry[store.Performance]:
		return "performance"
	case entry[store.ScoreHistogram]:
		return "scores"
	case entry[store.Profile]:
		return "profile"
	}
	return ""
}

// decodeEntry reads the next entry of the given kind from dec, with its estimated bytes.
func decodeEntry(kind string, dec *gob.Decoder, statements map[string][]string) (any, int64, error) {
	switch kind {
	case "counts":
		return decodeAs(countsShape, dec, statements)
	case "quality":
		return decodeAs(qualityShape, dec, statements)
	case "performance":
		return decodeAs(performanceShape, dec, statements)
	case "scores":
		return decodeAs(scoreHistogramShape, dec, statements)
	case "profile":
		return decodeAs(profileShape, dec, statements)
	}
	return nil, 0, fmt.Errorf("unknown part kind %q", kind)
}

func decodeAs[T any](sh shape[T], dec *gob.Decoder, statements map[string][]string) (any, int64, error) {
	var e entry[T]
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
