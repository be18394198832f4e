package record

import (
	"reflect"
	"strings"
)

// OwnStrings gives every exported string of each value its own memory, in
// place. Each value is a slice of structs (their nested structs and
// slices included) or a pointer to a struct. The readers and the extracts
// hand out texts that share one buffer per file or column: a value kept
// for the rest of a run (a finding, a borderline pair's names) would
// otherwise keep that whole buffer alive.
func OwnStrings(values ...any) {
	for _, v := range values {
		ownStrings(reflect.ValueOf(v))
	}
}

func ownStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			ownStrings(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			ownStrings(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				ownStrings(f)
			}
		}
	case reflect.String:
		if v.CanSet() && v.Len() > 0 {
			v.SetString(strings.Clone(v.String()))
		}
	}
}
