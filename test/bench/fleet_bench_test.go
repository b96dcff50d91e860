package bench

import (
	"testing"

	"github.com/aiops/modelmonitor/pkg/demo"
	"github.com/aiops/modelmonitor/pkg/plugin"
)

// fleetHealth of every model: the diagnosis' aggregates (read once, through the request memo) rolled up to one
// row per model with a severity, plus the realized performance the diagnosis does not compute (class counts of
// the multiclass model). Beside BenchmarkFleetDiagnosis: the difference is the fleet's own cost.
func BenchmarkFleetHealth(b *testing.B) { fleetHealth(b, newDatasource) }

// fleetHealth runs BenchmarkFleetHealth on the data sources newDS opens.
func fleetHealth(b *testing.B, newDS func(*testing.B) *plugin.Datasource) {
	rows := rowsRead(b, "")
	models := len(demo.Models())
	resetTimer(b)
	for i := 0; i < b.N; i++ {
		frames := queryFrames(b, newDS, map[string]any{"queryType": "fleetHealth", "model": "", "window": "1d"})
		if len(frames) != 1 || frames[0].Name != "fleet" || frames[0].Rows() != models {
			b.Fatalf("fleetHealth: %d frames, first %q with %d rows, want the fleet table with %d", len(frames), frames[0].Name, frames[0].Rows(), models)
		}
	}
	b.StopTimer()
	report(b, rows)
}
