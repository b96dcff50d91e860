package plugin

import (
	"os"
	"runtime/debug"
	"sync"
)

// GoMemoryLimitMB is the Go heap's soft limit in the plugin process (runtime/debug.SetMemoryLimit) before any
// window cache. The Go side holds aggregates and frames, O(models × windows × features × bins) per running query,
// with at most sharedSlots + alertSlots queries running per data source instance; the store's rows stay in
// DuckDB, which memoryLimitMB bounds. Each open data source instance adds its window cache (cacheMB, kept on the
// Go heap) to the limit. The process's memory is therefore bounded by memoryLimitMB + cacheMB (per data source
// instance) + GoMemoryLimitMB + a fixed overhead (the binary with DuckDB, thread stacks, DuckDB allocations
// outside its buffer manager), measured by test/load (README "Under load").
const GoMemoryLimitMB = 512

// goMemory is the soft limit the plugin set: owned once LimitGoMemory set it (GOMEMLIMIT unset), cacheMB the
// window caches of the open instances.
var goMemory struct {
	sync.Mutex
	owned   bool
	cacheMB int
}

// LimitGoMemory sets the Go heap's soft limit to GoMemoryLimitMB, unless GOMEMLIMIT already sets one.
func LimitGoMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		goMemory.Lock()
		defer goMemory.Unlock()
		goMemory.owned = true
		debug.SetMemoryLimit(int64(GoMemoryLimitMB+goMemory.cacheMB) << 20)
	}
}

// addCacheMemory raises (mb > 0) or lowers the soft limit by a window cache's bound, when the plugin set it.
func addCacheMemory(mb int) {
	goMemory.Lock()
	defer goMemory.Unlock()
	goMemory.cacheMB += mb
	if goMemory.owned {
		debug.SetMemoryLimit(int64(GoMemoryLimitMB+goMemory.cacheMB) << 20)
	}
}
