package monitor

import (
	"fmt"
	"time"

	"github.com/aiops/modelmonitor/pkg/query"
)

// Baseline is req run again over the baseline of its dynamic thresholds (req.Query.Thresholds), with the same
// window width so that both runs share window bounds, and what that baseline is, in words:
//   - trailing mode: the History windows before the first window;
//   - reference mode: a range reference's [from, to); a trailing reference's N windows before the first window;
//     a table reference, which has no time, the History windows before the first window.
//
// The baseline request has no thresholds of its own. Error: a baseline of more than query.MaxWindows windows.
func (s *Service) Baseline(req Request) (Request, string, error) {
	q, th := req.Query, req.Query.Thresholds
	width, origin, err := s.Windows(req)
	if err != nil {
		return req, "", err
	}
	from, to := origin.Add(-time.Duration(th.History)*width), origin
	what := fmt.Sprintf("the %d windows before each window", th.History)
	if th.Mode == query.ThresholdReference {
		switch q.Reference.Type {
		case query.RefRange:
			from, to = q.Reference.From, q.Reference.To
		case query.RefTrailing:
			from = origin.Add(-time.Duration(q.Reference.Windows) * width)
		}
		what = fmt.Sprintf("the reference windows %s – %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	if n := to.Sub(from) / width; n > query.MaxWindows {
		return req, "", fmt.Errorf("the thresholds' baseline spans %d windows of %s, more than %d: use a wider window or a shorter baseline", n, width, query.MaxWindows)
	}
	b := req
	b.From, b.To, b.Interval, b.MaxDataPoints = from, to, width, 0
	b.Query.Window, b.Query.Thresholds = fmt.Sprintf("%ds", int64(width/time.Second)), nil
	return b, what, nil
}
