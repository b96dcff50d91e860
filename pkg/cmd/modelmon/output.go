package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// tableRows bounds the rows printed per frame in the human format; the JSON format prints everything.
const tableRows = 40

// humanColumns are, per frame name, the columns the human format prints of a frame too wide for a terminal;
// the JSON format prints every column. The fleet table (31 columns) shows what a reader scans first: the model,
// how bad, since when, why, and its primary metric estimated and realized.
var humanColumns = map[string][]string{
	"fleet": {"model", "tier", "severity", "verdict", "since", "worst_cause", "worst_feature", "primary_metric", "estimated", "realized"},
}

// humanOutput says whether to print for a person: on a terminal, unless --json asked for the body a script reads.
// Piped or redirected output is JSON, so scripts keep reading what Grafana's /api/ds/query returns.
func humanOutput(out io.Writer, forceJSON bool) bool {
	if forceJSON {
		return false
	}
	f, ok := out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// failedQueries names every query of a response that failed, with its status and error, in refId order; nil when
// all answered. The CLI exits non-zero when any failed, so a script cannot mistake an error body for an answer.
func failedQueries(resp *backend.QueryDataResponse) error {
	var msgs []string
	for _, ref := range sortedRefIDs(resp) {
		if r := resp.Responses[ref]; r.Error != nil {
			msgs = append(msgs, fmt.Sprintf("query %s failed (status %d): %v", ref, r.Status, r.Error))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}

func sortedRefIDs(resp *backend.QueryDataResponse) []string {
	refs := make([]string, 0, len(resp.Responses))
	for ref := range resp.Responses {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	return refs
}

// writeHuman prints a response for a person: per query its error or, per frame, its name, the labels of its value
// fields, its notices and its values as a table (at most tableRows rows), without the executed SQL that fills
// most of the JSON body.
func writeHuman(out io.Writer, resp *backend.QueryDataResponse) error {
	for _, ref := range sortedRefIDs(resp) {
		r := resp.Responses[ref]
		if r.Error != nil {
			fmt.Fprintf(out, "query %s: error (status %d): %v\n\n", ref, r.Status, r.Error)
			continue
		}
		fmt.Fprintf(out, "query %s: %d frame(s)\n\n", ref, len(r.Frames))
		for _, f := range r.Frames {
			if err := writeFrame(out, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeFrame(out io.Writer, f *data.Frame) error {
	fmt.Fprintf(out, "== %s", f.Name)
	for _, fld := range f.Fields {
		if len(fld.Labels) > 0 {
			fmt.Fprintf(out, "  {%s}", fld.Labels.String())
			break
		}
	}
	fmt.Fprintln(out)
	if f.Meta != nil {
		for _, n := range f.Meta.Notices {
			fmt.Fprintf(out, "   %s: %s\n", n.Severity, n.Text)
		}
	}
	if f.Rows() == 0 {
		_, err := fmt.Fprint(out, "   (no rows)\n\n")
		return err
	}
	fields := shownFields(f)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	names := make([]string, len(fields))
	for i, fld := range fields {
		names[i] = strings.ToUpper(fld.Name)
	}
	fmt.Fprintln(tw, "   "+strings.Join(names, "\t"))
	rows := min(f.Rows(), tableRows)
	for r := 0; r < rows; r++ {
		cells := make([]string, len(fields))
		for i, fld := range fields {
			cells[i] = cell(fld, r)
		}
		fmt.Fprintln(tw, "   "+strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(fields) < len(f.Fields) {
		fmt.Fprintf(out, "   (%d of %d columns; --json prints them all)\n", len(fields), len(f.Fields))
	}
	if f.Rows() > rows {
		fmt.Fprintf(out, "   … %d more rows (--json prints them all)\n", f.Rows()-rows)
	}
	_, err := fmt.Fprintln(out)
	return err
}

// shownFields are the fields of f the human format prints: those humanColumns names for its frame name (in that
// order, skipping any it lacks), else all.
func shownFields(f *data.Frame) []*data.Field {
	names, ok := humanColumns[f.Name]
	if !ok {
		return f.Fields
	}
	var out []*data.Field
	for _, n := range names {
		if fld, i := f.FieldByName(n); i >= 0 {
			out = append(out, fld)
		}
	}
	return out
}

// cell formats one value for the human table: times in UTC to the minute, numbers to 6 significant digits,
// null as "-".
func cell(fld *data.Field, row int) string {
	v, ok := fld.ConcreteAt(row)
	if !ok {
		return "-"
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04")
	case float64:
		return strconv.FormatFloat(x, 'g', 6, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', 6, 32)
	}
	return fmt.Sprint(v)
}

// writePretty re-indents a JSON body (a resource's answer); a body that is not JSON is written as it is.
func writePretty(out io.Writer, body []byte) error {
	var v any
	if json.Unmarshal(body, &v) != nil {
		_, err := out.Write(body)
		return err
	}
	return writeIndented(out, v)
}

// jsonError rewrites a JSON syntax or type error into one that names the line and column of the offending byte.
func jsonError(what string, raw []byte, err error) error {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	}
	if offset < 0 {
		return fmt.Errorf("%s: %w", what, err)
	}
	// The decoder's offset counts the bytes read when it failed, so the offending byte is the one before it.
	line, col := lineColumn(raw, max(offset-1, 0))
	return fmt.Errorf("%s: line %d, column %d: %w", what, line, col, err)
}

// lineColumn converts a 0-based byte offset into the 1-based line and column (in bytes) of that byte.
func lineColumn(raw []byte, offset int64) (int, int) {
	if offset > int64(len(raw)) {
		offset = int64(len(raw))
	}
	line, col := 1, 1
	for _, b := range raw[:offset] {
		if b == '\n' {
			line, col = line+1, 1
			continue
		}
		col++
	}
	return line, col
}
