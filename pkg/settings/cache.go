package settings

import (
	"encoding/json"
	"fmt"
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
		CacheMB            *int `json:"cacheMB"`
		CacheSettleMinutes *int `json:"cacheSettleMinutes"`
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
	return nil
}

// validateCache rejects negative sizes and settle times, and those above MaxCacheMB / MaxCacheSettleMinutes.
func (c Cache) validateCache() error {
	if c.CacheMB < 0 || c.CacheMB > MaxCacheMB {
		return fmt.Errorf("cacheMB must be between 0 (no reuse) and %d, not %d", MaxCacheMB, c.CacheMB)
	}
	if c.CacheSettleMinutes < 0 || c.CacheSettleMinutes > MaxCacheSettleMinutes {
		return fmt.Errorf("cacheSettleMinutes must be between 0 and %d (a year), not %d", MaxCacheSettleMinutes, c.CacheSettleMinutes)
	}
	return nil
}
