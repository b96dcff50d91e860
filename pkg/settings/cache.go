package settings

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Cache configures the reuse of settled windows' aggregates across the queries of one data source instance
// (pkg/store/cache; docs/cache.md).
type Cache struct {
	// CacheMB bounds the memory of the kept aggregates (their estimated size), in MiB; 0 turns reuse off.
	CacheMB int `json:"cacheMB"`
	// CacheSettleMinutes is how long after a window's end its rows may still arrive: a window is kept only once
	// it ended at least that long ago. A late row after that is still seen (the window's row count changes), so
	// the setting trades reuse of the newest windows against statements that are asked again.
	CacheSettleMinutes int `json:"cacheSettleMinutes"`
	// CacheDir is the directory (absolute) where the kept aggregates are also written, so that a restart of
	// Grafana does not start every query cold: one file per data source instance, never in the user's store.
	// "" keeps them in memory only. Grafana gives a backend plugin no writable directory of its own; a directory
	// in Grafana's data volume (GF_PATHS_DATA, /var/lib/grafana in the official image) is one (docs/cache.md).
	CacheDir string `json:"cacheDir"`
	// UID is the data source instance's UID (Grafana's instance settings, not jsonData): it names the cache file.
	UID string `json:"-"`
}

// Defaults of the cache settings: 1024 MiB holds the settled windows of the fleet dashboard (drift, quality,
// performance, CBPE, diagnosis) of 52 models over 30 daily windows (docs/cache.md gives the sizes); one hour covers
// the flush interval of common log shippers.
const (
	DefaultCacheMB            = 1024
	DefaultCacheSettleMinutes = 60
)

// Upper bounds of the cache settings: 1 TiB of kept aggregates and one year of settle time are far beyond any
// useful value, and keep the byte count and the duration from overflowing (a negative bound would switch reuse
// off silently; an overflowed settle time would keep unsettled windows).
const (
	MaxCacheMB            = 1 << 20
	MaxCacheSettleMinutes = 366 * 24 * 60
)

// CacheBytes is CacheMB in bytes.
func (c Cache) CacheBytes() int64 { return int64(c.CacheMB) << 20 }

// Settle is CacheSettleMinutes as a duration.
func (c Cache) Settle() time.Duration { return time.Duration(c.CacheSettleMinutes) * time.Minute }

// mergeCache takes the cache keys jsonData sets (0 included: it turns reuse off, or keeps nothing unsettled);
// absent or null keys keep their defaults.
func (c *Cache) mergeCache(jsonData []byte) error {
	var raw struct {
		CacheMB            *int    `json:"cacheMB"`
		CacheSettleMinutes *int    `json:"cacheSettleMinutes"`
		CacheDir           *string `json:"cacheDir"`
	}
	if err := json.Unmarshal(jsonData, &raw); err != nil {
		return err
	}
	if raw.CacheMB != nil {
		c.CacheMB = *raw.CacheMB
	}
	if raw.CacheSettleMinutes != nil {
		c.CacheSettleMinutes = *raw.CacheSettleMinutes
	}
	if raw.CacheDir != nil {
		c.CacheDir = strings.TrimSpace(*raw.CacheDir)
	}
	return nil
}

// validateCache rejects negative sizes and settle times, those above MaxCacheMB / MaxCacheSettleMinutes, and a
// cache directory that is not absolute or that the store would read (validateCacheDir).
func (s Settings) validateCache() error {
	c := s.Cache
	if c.CacheMB < 0 || c.CacheMB > MaxCacheMB {
		return fmt.Errorf("cacheMB must be between 0 (no reuse) and %d, not %d", MaxCacheMB, c.CacheMB)
	}
	if c.CacheSettleMinutes < 0 || c.CacheSettleMinutes > MaxCacheSettleMinutes {
		return fmt.Errorf("cacheSettleMinutes must be between 0 and %d (a year), not %d", MaxCacheSettleMinutes, c.CacheSettleMinutes)
	}
	return s.validateCacheDir()
}

// validateCacheDir accepts "" (memory only) or an absolute directory, which need not exist yet (it is created).
// Whether it can be written is found when the data source opens (a warning in the health check, memory only). The
// cache must never be written where the store reads: for DuckDB, cacheDir must not be the store's path, nor a
// directory whose cache files (modelmonitor-<UID>.cache, and .modelmonitor-*.tmp while one is written) the path —
// a file or a glob of files — names. Beside a DuckDB file or Parquet files of another name is allowed.
func (s Settings) validateCacheDir() error {
	d := s.CacheDir
	if d == "" {
		return nil
	}
	if !filepath.IsAbs(d) || strings.ContainsRune(d, 0) {
		return fmt.Errorf("cacheDir must be an absolute directory (such as /var/lib/grafana/modelmonitor-cache), not %q", d)
	}
	if s.Engine != EngineDuckDB || s.Path == "" {
		return nil
	}
	d, store := filepath.Clean(d), filepath.Clean(s.Path)
	for _, name := range []string{"", "modelmonitor-x.cache", ".modelmonitor-x.tmp"} {
		file := filepath.Join(d, name)
		if match, _ := filepath.Match(store, file); match || store == file {
			return fmt.Errorf("cacheDir %q is where the store reads (path %q): choose a directory of its own", s.CacheDir, s.Path)
		}
	}
	return nil
}
