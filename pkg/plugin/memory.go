package plugin

import (
	"os"
	"runtime/debug"
)

// GoMemoryLimitMB is the Go heap's soft limit in the plugin process (runtime/debug.SetMemoryLimit). The Go side
// holds aggregates and frames, O(models × windows × features × bins) per running query, with at most
// sharedSlots + alertSlots queries running per data source instance; the store's rows stay in DuckDB, which
// memoryLimitMB bounds. The process's memory is therefore bounded by memoryLimitMB (per data source instance) +
// GoMemoryLimitMB + a fixed overhead (the binary with DuckDB, thread stacks, DuckDB allocations outside its buffer
// manager), measured by test/load (README "Under load").
const GoMemoryLimitMB = 512

// LimitGoMemory sets the Go heap's soft limit to GoMemoryLimitMB, unless GOMEMLIMIT already sets one.
func LimitGoMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(GoMemoryLimitMB << 20)
	}
}
