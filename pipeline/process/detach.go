package process

import (
	"reflect"
	"strings"

	"doithoai/pipeline/record"
)

// detach gives every string an item keeps for the rest of the run its own
// memory. The reader hands out texts that share one buffer per file (a
// shared-string table, a column of an extract): a title or one finding's
// value kept from a 2,000-row roster would otherwise keep the whole
// file's text alive, for every file of the inbox. The source rows and the
// M1 rows are left alone: when they are kept, all of their texts are.
func detach(it *Item) {
	wb := &it.Workbook
	for _, p := range []*string{&wb.Format, &wb.CommuneCode, &wb.HeaderName, &wb.Title, &wb.Reason} {
		*p = strings.Clone(*p)
	}
	for i := range wb.Tables {
		t := &wb.Tables[i]
		t.Sheet = strings.Clone(t.Sheet)
		if len(t.Columns) > 0 {
			t.Columns = append([]record.Column(nil), t.Columns...)
		}
		for j := range t.Columns {
			c := &t.Columns[j]
			c.Field, c.Letter, c.Header = strings.Clone(c.Field), strings.Clone(c.Letter), strings.Clone(c.Header)
		}
		if len(t.Unknown) > 0 {
			t.Unknown = append([]string(nil), t.Unknown...)
		}
		for j := range t.Unknown {
			t.Unknown[j] = strings.Clone(t.Unknown[j])
		}
	}
	cloneStrings(reflect.ValueOf(wb.Findings))
	c := &it.Checked
	for _, v := range []any{c.Findings, c.Registrations, c.Delegates, c.Opinions, c.Results} {
		cloneStrings(reflect.ValueOf(v))
	}
}

// cloneStrings replaces, in place, every exported string of v (a slice of
// structs, their nested structs included) by a copy.
func cloneStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			cloneStrings(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				cloneStrings(f)
			}
		}
	case reflect.String:
		if v.CanSet() && v.Len() > 0 {
			v.SetString(strings.Clone(v.String()))
		}
	}
}
