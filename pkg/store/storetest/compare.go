package storetest

import (
	"cmp"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// tolerance is the relative (and, near zero, absolute) difference allowed between float64 results and the
// hand-derived values: engines sum in different orders, so the last bits may differ.
const tolerance = 1e-12

// same reports whether got and want are equal, float64 fields within tolerance (NaN equals NaN), pointers by what
// they point at; diff names the first difference.
func same(got, want reflect.Value, path string) (diff string) {
	if got.Kind() != want.Kind() {
		return fmt.Sprintf("%s: kind %s, want %s", path, got.Kind(), want.Kind())
	}
	switch got.Kind() {
	case reflect.Float64:
		g, w := got.Float(), want.Float()
		if g == w || math.IsNaN(g) && math.IsNaN(w) || math.Abs(g-w) <= tolerance*math.Max(1, math.Abs(w)) {
			return ""
		}
		return fmt.Sprintf("%s = %v, want %v", path, g, w)
	case reflect.Pointer:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return fmt.Sprintf("%s nil = %v, want nil = %v", path, got.IsNil(), want.IsNil())
			}
			return ""
		}
		return same(got.Elem(), want.Elem(), path)
	case reflect.Slice:
		if got.Len() != want.Len() {
			return fmt.Sprintf("%s has %d items, want %d:\n got %+v\nwant %+v", path, got.Len(), want.Len(), got.Interface(), want.Interface())
		}
		for i := 0; i < got.Len(); i++ {
			if d := same(got.Index(i), want.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		for i := 0; i < got.NumField(); i++ {
			if d := same(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(got.Interface(), want.Interface()) {
		return fmt.Sprintf("%s = %#v, want %#v", path, got.Interface(), want.Interface())
	}
	return ""
}

// expect fails the test when got differs from want (see same).
func expect[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if d := same(reflect.ValueOf(got), reflect.ValueOf(want), what); d != "" {
		t.Errorf("%s", d)
	}
}

// sorted returns rows sorted by the text of key(row), so that results in no particular order compare.
func sorted[T any](rows []T, key func(T) string) []T {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// k joins the parts of a sort key.
func k(parts ...any) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = fmt.Sprintf("%12v", p)
	}
	return strings.Join(s, "|")
}

// class renders a class label as a number where it is one (engines render 1.0 as "1.0" or "1"), so that class
// text compares across engines.
func class(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return s
}

// Deref lists nullable float64s by value, nil where a value is null, so that test messages print numbers
// rather than pointers.
func Deref(v []*float64) []any {
	out := make([]any, len(v))
	for i, p := range v {
		if p != nil {
			out[i] = *p
		}
	}
	return out
}
