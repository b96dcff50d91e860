package cache

import (
	"math"
	"reflect"
)

// exactGob reports whether gob reads v back as it is. gob sends no zero value, so it reads an empty non-nil slice
// or map back as nil, a non-nil pointer to a zero value as a nil pointer and −0 as +0; it does not send unexported
// fields or interfaces of unregistered types. v is exact when it holds none of those.
func exactGob(v any) bool { return exactValue(reflect.ValueOf(v)) }

func exactValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		return f != 0 || !math.Signbit(f)
	case reflect.Pointer:
		return v.IsNil() || (!v.Elem().IsZero() && exactValue(v.Elem()))
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			return true
		}
		if v.Len() == 0 {
			return false
		}
		if v.Kind() == reflect.Map {
			return false // no kept part holds a map; their order and keys are not checked here
		}
		if plain(v.Type().Elem()) {
			return true
		}
		for i := 0; i < v.Len(); i++ {
			if !exactValue(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !exactValue(v.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			if !t.Field(i).IsExported() {
				if !v.Field(i).IsZero() {
					return false
				}
				continue
			}
			if !exactValue(v.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Interface, reflect.Chan, reflect.Func, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return v.IsZero()
	}
	return true // bool, integers, strings
}

// plain reports whether values of t are always exact: booleans, integers and strings.
func plain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}
